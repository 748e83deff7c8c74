"""Files browsers ask for at fixed addresses."""

from __future__ import annotations

from flask import current_app

from surveyapp.web.survey import bp


@bp.get("/favicon.ico")
def favicon():
    return current_app.send_static_file("favicon.ico")
