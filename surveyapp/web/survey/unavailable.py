"""The database unreachable (PostgreSQL restarting, a connection lost mid-request): a
respondent's posted page comes back with the answers kept and "could not save just now"
(503), any other respondent page is a 503 to try again; the next request connects anew."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import ServiceUnavailable

from surveyapp import store
from surveyapp.questionnaire.answers import check_page
from surveyapp.web import latest_definition
from surveyapp.web.survey import bp
from surveyapp.web.survey.render import kept

RETRY = {"Retry-After": "10"}


@bp.errorhandler(store.DatabaseError)
def unavailable(error: store.DatabaseError):
    current_app.logger.warning("a respondent's request failed on the database: %s", error)
    survey_id = (request.view_args or {}).get("survey_id")
    definition = latest_definition(survey_id) if survey_id else None
    if request.method == "POST" and request.endpoint == "survey.answer" and definition:
        number = request.args.get("page", "1")
        number = (
            int(number) if number.isdigit() and 1 <= int(number) <= len(definition.pages) else 1
        )
        checked = check_page(definition, number, request.form.getlist, {})
        page, status = kept(definition, number, checked.state)
        return page, status, RETRY
    message = gettext(ServiceUnavailable.description)
    return render_template("error.html", code=503, message=message), 503, RETRY
