"""Weighting targets (admin role; the CSRF token is checked by CSRFProtect): per edition,
one form per profile question with the population's share of each code, in percent.
Saving checks every share (each 0 or strictly between 0 and 100, every code given, adding
up to exactly 100) and changes nothing on any problem; saving and removing are audited."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, redirect, render_template, request, url_for

from surveyapp.figures import tallies, weighted, weighting
from surveyapp.questionnaire.model import Definition
from surveyapp.store import weights as store_weights
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import editions_or_404, requested_edition


def _percent(share: str) -> str:
    return f"{(Decimal(share) * 100).normalize():f}"


def _page(definition: Definition, editions: list[int], problems: dict | None = None,
          typed: dict | None = None, status: int = 200):  # fmt: skip
    db = get_db()
    stored = store_weights.targets(db, definition.id, definition.edition)
    sample = tallies.tallies(db, definition)
    chosen = weighted.scheme(db, definition)
    block = weighted.weights(db, definition, chosen)[1] if chosen else None
    questions = [
        {"question": q, "targets": {c: _percent(s) for c, s in stored.get(q.id, {}).items()},
         "sample": sample["questions"].get(q.id, {}).get("percent", {})}
        for q in weighted.profile_questions(definition)
    ]  # fmt: skip
    return render_template(
        "admin/weights.html", definition=definition, editions=editions, questions=questions,
        weighting=block, problems=problems or {}, typed=typed or {}, trim=weighting.TRIM,
    ), status  # fmt: skip


@bp.get("/surveys/<survey_id>/weights")
@auth.login_required(role="admin")
def weights(survey_id: str):
    editions, _filters, definition = requested_edition(survey_id)
    return _page(definition, sorted(editions))


def _form_definition(survey_id: str) -> Definition:
    editions = editions_or_404(survey_id)
    text = request.form.get("edition", "")
    if not (text.isascii() and text.isdigit()) or int(text) not in editions:
        abort(400, "Choose an edition of this questionnaire.")
    return editions[int(text)]


@bp.post("/surveys/<survey_id>/weights")
@auth.login_required(role="admin")
def save_weights(survey_id: str):
    definition = _form_definition(survey_id)
    profile = {q.id: q for q in weighted.profile_questions(definition)}
    question = profile.get(request.form.get("question", ""))
    if question is None:
        abort(400, "Targets can be set for the profile questions of the first page only.")
    db, where = get_db(), url_for("admin.weights", survey_id=survey_id,
                                  edition=definition.edition) + f"#w-{question.id}"  # fmt: skip
    if request.form.get("action") == "remove":
        store_weights.clear_targets(db, survey_id, definition.edition, question.id, auth.actor())
        return redirect(where, code=303)
    typed = {key.removeprefix("share-"): value for key, value in request.form.items()
             if key.startswith("share-")}  # fmt: skip
    shares, problems = weighting.parse_targets([o.code for o in question.options], typed)
    if problems:
        editions = sorted(editions_or_404(survey_id))
        return _page(definition, editions, {question.id: problems}, {question.id: typed}, 400)
    store_weights.set_targets(db, survey_id, definition.edition, question.id, shares,
                              auth.actor())  # fmt: skip
    return redirect(where, code=303)
