"""An edition's schedule in the admin (admin role; the CSRF token is checked by
CSRFProtect): the time it opens and the time it closes, in UTC, either optional. The
respondent pages compare them with the time of each request (store.schedules)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, redirect, render_template, request, url_for

from surveyapp.store import audit, schedules
from surveyapp.store.timestamps import TIME_FORMAT, stamp
from surveyapp.web import get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import editions_or_404

FIELDS = ("opens_at", "closes_at")
FORM_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")  # what <input type=datetime-local> sends
NOT_A_TIME = "Enter a date and time, such as 2027-01-31T17:00 (UTC)."
CLOSE_FIRST = "The closing time must be after the opening time."


def _form_value(stored: str | None) -> str:
    return datetime.strptime(stored, TIME_FORMAT).strftime(FORM_FORMATS[0]) if stored else ""


def parse_time(text: str) -> str | None:
    """A form's date and time (UTC) as stored; None when it is not one. Raises nothing."""
    for form_format in FORM_FORMATS:
        try:
            return stamp(datetime.strptime(text, form_format).replace(tzinfo=UTC))
        except ValueError:
            continue
    return None


def read_form(form) -> tuple[schedules.Schedule | None, dict[str, str]]:
    """(the schedule, {}) or (None, errors per field)."""
    times, errors = {}, {}
    for name in FIELDS:
        text = form.get(name, "").strip()
        times[name] = parse_time(text) if text else None
        if text and times[name] is None:
            errors[name] = NOT_A_TIME
    opens, closes = times["opens_at"], times["closes_at"]
    if not errors and opens and closes and closes <= opens:
        errors["closes_at"] = CLOSE_FIRST
    return (None, errors) if errors else (schedules.Schedule(opens, closes), {})


def _page(survey_id: str, edition: int, values: dict, errors: dict, status: int = 200):
    definition = editions_or_404(survey_id)[edition]
    return render_template("admin/schedule.html", definition=definition, values=values,
                           errors=errors), status  # fmt: skip


def _edition(survey_id: str, edition: int) -> None:
    if edition not in editions_or_404(survey_id):
        abort(404, f"{survey_id} has no edition {edition}.")


@bp.get("/surveys/<survey_id>/editions/<int:edition>/schedule")
@auth.login_required(role="admin")
def schedule(survey_id: str, edition: int):
    _edition(survey_id, edition)
    current = schedules.schedules_of(get_db(), survey_id).get(edition, schedules.NONE)
    values = {name: _form_value(getattr(current, name)) for name in FIELDS}
    return _page(survey_id, edition, values, {})


@bp.post("/surveys/<survey_id>/editions/<int:edition>/schedule")
@auth.login_required(role="admin")
def save_schedule(survey_id: str, edition: int):
    _edition(survey_id, edition)
    chosen, errors = read_form(request.form)
    if chosen is None:
        values = {name: request.form.get(name, "") for name in FIELDS}
        return _page(survey_id, edition, values, errors, 422)
    db = get_db()
    schedules.set_schedule(db, survey_id, edition, chosen)
    audit.record(db, auth.actor(), "edition_schedule", survey=survey_id, edition=edition,
                 opens_at=chosen.opens_at, closes_at=chosen.closes_at)  # fmt: skip
    return redirect(url_for("admin.survey", survey_id=survey_id) + "#editions", code=303)
