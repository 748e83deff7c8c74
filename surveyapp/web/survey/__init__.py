"""The respondent side: questionnaire pages (`/s/<id>`) and invitation links (`/i/<token>`)."""

from flask import Blueprint

bp = Blueprint("survey", __name__)
invite_bp = Blueprint("invite", __name__)

from surveyapp.web.survey import assets, branding, invited, pages, unavailable  # noqa: E402, F401 - register routes
