"""Editions in the admin: each edition's status and responses, opening and closing them
(a write, so the admin role; the CSRF token is checked by CSRFProtect)."""

from __future__ import annotations

from flask import abort, redirect, url_for

from surveyapp.questionnaire.model import Definition
from surveyapp.store import audit, editions, schedules
from surveyapp.store import counts as store_counts
from surveyapp.web import catalog, get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import all_editions, editions_or_404

ACTIONS = ("open", "close")


def edition_rows(
    survey_id: str, counts: dict[int, int] | None = None, scheduled: bool = False
) -> list[dict]:
    """Every edition with its status, response count (or `counts`) and the definition its
    rows answered, newest first; with `scheduled`, its schedule too (store.schedules). An
    edition known only from imported responses has no status (it cannot be opened: no
    definition file names it)."""
    db = get_db()
    counts = store_counts.edition_responses(db, survey_id) if counts is None else counts
    statuses = editions.statuses(db, catalog(), survey_id)
    found = all_editions(survey_id)
    rows = [{"edition": e, "status": statuses.get(e, "imported"), "responses": counts.get(e, 0),
             "orphan": e not in statuses, "answered": answered(found[e])}
            for e in sorted(found, reverse=True)]  # fmt: skip
    if scheduled:
        planned = schedules.schedules_of(db, survey_id)
        for row in rows:
            row["schedule"] = planned.get(row["edition"], schedules.NONE)
    return rows


def answered(definition: Definition) -> str:
    """What an edition's rows answered: its own definition, or for an edition no file names
    the definition (and version) its imported rows were checked against."""
    source = catalog().by_version(definition.version)
    if not catalog().is_orphan(definition):
        return f"its own (version {definition.version})"
    year = source.edition if source is not None else "?"
    own = definition.edition
    return f"edition {year}'s (version {definition.version}); no definition file for {own}"


@bp.post("/surveys/<survey_id>/editions/<int:edition>/<action>")
@auth.login_required(role="admin")
def edition_status(survey_id: str, edition: int, action: str):
    editions_or_404(survey_id)
    if action not in ACTIONS:
        abort(404)
    db = get_db()
    try:
        if action == "open":
            closed = editions.open_only(db, catalog(), survey_id, edition)
            audit.record(db, auth.actor(), "edition_open", survey=survey_id, edition=edition,
                         closed=closed)  # fmt: skip
        else:
            editions.close(db, catalog(), survey_id, edition)
            audit.record(db, auth.actor(), "edition_close", survey=survey_id, edition=edition)
    except editions.EditionError as exc:
        abort(404, str(exc))
    return redirect(url_for("admin.survey", survey_id=survey_id) + "#editions", code=303)
