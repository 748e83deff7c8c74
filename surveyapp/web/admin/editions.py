"""Editions in the admin: each edition's status and responses, opening and closing them
(a write, so the admin role; the CSRF token is checked by CSRFProtect)."""

from __future__ import annotations

from flask import abort, redirect, url_for

from surveyapp.store import audit, editions, schedules
from surveyapp.store import counts as store_counts
from surveyapp.web import catalog, get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import editions_or_404

ACTIONS = ("open", "close")


def edition_rows(survey_id: str, counts: dict[int, int] | None = None) -> list[dict]:
    """Every edition with its status and response count (or `counts`), newest first."""
    db = get_db()
    counts = store_counts.edition_responses(db, survey_id) if counts is None else counts
    statuses = editions.statuses(db, catalog(), survey_id)
    planned = schedules.schedules_of(db, survey_id)
    return [{"edition": e, "status": statuses[e], "responses": counts.get(e, 0),
             "schedule": planned.get(e, schedules.NONE)}
            for e in sorted(statuses, reverse=True)]  # fmt: skip


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
