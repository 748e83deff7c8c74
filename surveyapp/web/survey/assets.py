"""Files browsers ask for at fixed addresses."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Response, current_app

from surveyapp.web.survey import bp


@cache
def _icon(folder: str) -> bytes:
    return (Path(folder) / "favicon.ico").read_bytes()


@bp.get("/favicon.ico")
def favicon() -> Response:
    # Read whole and kept: a browser often drops this request half-way, and a streamed
    # file left open by a dropped request is never closed.
    response = Response(_icon(current_app.static_folder), mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
