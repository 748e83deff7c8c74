"""Webhooks of a questionnaire (`/admin/surveys/<id>/webhooks`, admin role): endpoints
added (the secret shown once) and deleted, the outbox's messages with a resend button,
and the delivery log of attempts. Delivery itself is surveyapp.exchange.webhooks."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, redirect, render_template, request, url_for

from surveyapp.exchange import targets
from surveyapp.store import audit, deliveries, webhooks
from surveyapp.web import catalog, get_db
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.common import editions_or_404, page_number

LOG_ROWS = 50


def _page(survey_id: str, secret: str | None = None, problem: str = "", status: int = 200,
          chosen: dict | None = None):  # fmt: skip
    page, db = page_number(), get_db()
    rows = deliveries.messages(db, survey_id, LOG_ROWS + 1, (page - 1) * LOG_ROWS)
    return render_template(
        "admin/webhooks.html", definition=catalog().latest(survey_id), events=webhooks.EVENTS,
        endpoints=webhooks.endpoints(db, survey_id), messages=rows[:LOG_ROWS], page=page,
        more=len(rows) > LOG_ROWS, attempts=deliveries.attempts(db, survey_id, LOG_ROWS),
        secret=secret, problem=problem, chosen=chosen or {},
        allow_private=current_app.config["WEBHOOKS_ALLOW_PRIVATE"],
    ), status  # fmt: skip


@bp.get("/surveys/<survey_id>/webhooks")
@auth.login_required(role="admin")
def webhooks_page(survey_id: str):
    editions_or_404(survey_id)
    return _page(survey_id)


@bp.post("/surveys/<survey_id>/webhooks")
@auth.login_required(role="admin")
def webhook_add(survey_id: str):
    editions_or_404(survey_id)
    url = request.form.get("url", "").strip()
    events = request.form.getlist("events")
    chosen = {"url": url, "events": events}
    if not events or any(e not in webhooks.EVENTS for e in events):
        return _page(survey_id, problem="Choose at least one event.", status=400, chosen=chosen)
    try:
        targets.check(url, bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"]))
    except targets.TargetRefused as exc:
        return _page(survey_id, problem=f"Not added: {exc}.", status=400, chosen=chosen)
    db = get_db()
    endpoint_id, secret = webhooks.add_endpoint(db, survey_id, url, events, auth.actor())
    audit.record(db, auth.actor(), "webhook_add", survey=survey_id, endpoint=endpoint_id,
                 url=url, events=events)  # fmt: skip
    return _page(survey_id, secret=secret)


@bp.post("/surveys/<survey_id>/webhooks/<int:endpoint_id>/delete")
@auth.login_required(role="admin")
def webhook_delete(survey_id: str, endpoint_id: int):
    editions_or_404(survey_id)
    db = get_db()
    if not webhooks.delete_endpoint(db, survey_id, endpoint_id):
        abort(404, "No such webhook endpoint.")
    audit.record(db, auth.actor(), "webhook_delete", survey=survey_id, endpoint=endpoint_id)
    return redirect(url_for("admin.webhooks_page", survey_id=survey_id), code=303)


@bp.post("/surveys/<survey_id>/webhooks/messages/<int:message_id>/resend")
@auth.login_required(role="admin")
def webhook_resend(survey_id: str, message_id: int):
    editions_or_404(survey_id)
    db = get_db()
    if not deliveries.resend(db, survey_id, message_id, datetime.now(UTC)):
        abort(404, "No such message, or its endpoint was deleted.")
    audit.record(db, auth.actor(), "webhook_resend", survey=survey_id, message=message_id)
    return redirect(url_for("admin.webhooks_page", survey_id=survey_id) + "#log", code=303)
