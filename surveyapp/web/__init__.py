"""What every view shares: the per-thread database, the definitions, headers, errors."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import sqlite_utils
from flask import Flask, Response, current_app, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from surveyapp import store
from surveyapp.questionnaire import types
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.model import Definition
from surveyapp.store import editions
from surveyapp.web import formats
from surveyapp.web.wording import N_

csrf = CSRFProtect()

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
RESTORING = N_("The site is being restored from a backup: nothing was changed. Try again shortly.")
# Werkzeug's descriptions of the errors a respondent may meet, in the catalogues.
ERROR_TEXTS = (
    N_(
        "The requested URL was not found on the server. If you entered the URL manually please"
        " check your spelling and try again."
    ),
    N_("The CSRF token has expired."),
    N_("The CSRF token is missing."),
)
API_PATHS = "/api/"  # answered as application/problem+json (surveyapp.web.api.problems)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signing serializer built once per key set
    instead of on every request (it is stateless, so threads can share it)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            serializer = super().get_signing_serializer(app)
            if serializer is None:
                return None
            self._serializers[keys] = serializer
        return self._serializers[keys]


def get_db() -> sqlite_utils.Database:
    if "db" not in g:
        g.db = store.thread_connection(current_app.config["DATABASE"])
    return g.db


def catalog() -> Catalog:
    return current_app.extensions["surveys"]


def latest_definition(survey_id: str) -> Definition | None:
    return catalog().latest(survey_id)


def open_definition(survey_id: str) -> Definition | None:
    """The definition of the edition respondents answer now; None when all are closed."""
    return editions.open_definition(get_db(), catalog(), survey_id)


def serving(survey_id: str) -> editions.Serving:
    """What respondents get now, with its schedule; read once per request (respondent
    pages read it again to show the closing time)."""
    cache = g.setdefault("serving", {})
    if survey_id not in cache:
        cache[survey_id] = editions.serving(get_db(), catalog(), survey_id)
    return cache[survey_id]


def relative_location(response: Response) -> Response:
    """Keep only the path of an absolute Location. The app never redirects elsewhere, but
    werkzeug's own redirects (a missing trailing slash, doubled slashes) are built from
    the request's Host header, which a client may forge."""
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if parts.scheme or parts.netloc:
            path = "/" + parts.path.lstrip("/")  # never "//host", a URL of another site
            response.headers["Location"] = urlunsplit(("", "", path, parts.query, parts.fragment))
    return response


def init_app(app: Flask) -> None:
    from surveyapp.web import languages

    csrf.init_app(app)
    formats.init_app(app)
    languages.init_app(app)
    app.session_interface = SessionInterface()
    app.jinja_env.globals["question_type"] = types.of
    app.after_request(relative_location)

    @app.before_request
    def current_catalog():
        """Serve what was published or opened since, in this worker too (one SELECT)."""
        live = app.extensions.get("live_catalog")
        if live is None:
            return
        try:
            app.extensions["surveys"] = live.current(get_db())
        except store.DatabaseError:  # unreachable (PostgreSQL restarting): pages say so
            app.logger.warning("serving the catalogue last read: the database is unreachable")

    @app.after_request
    def add_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    _error_pages(app)


def _error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return render_template("error.html", code=400, message=gettext(error.description)), 400

    @app.errorhandler(store.Maintenance)
    def restoring(_error):
        # Pages that keep a respondent's answers catch it first (503, answers kept).
        page = render_template("error.html", code=503, message=gettext(RESTORING))
        return page, 503, {"Retry-After": "30"}

    @app.errorhandler(store.OperationalError)
    def unavailable(error):
        # The database could not be reached or did not answer in time (a PostgreSQL server
        # restarting): nothing was changed, the same request may be tried again. Respondent
        # pages (their own handler) and pages that keep a form's answers catch it first.
        app.logger.error("database unavailable: %s", error)
        message = gettext(ServiceUnavailable.description)
        return render_template("error.html", code=503, message=message), 503, {"Retry-After": "5"}

    @app.errorhandler(HTTPException)
    def http_error(error):
        if request.path.startswith(API_PATHS):  # no API route matched (404, 405)
            from surveyapp.web.api.problems import as_problem

            return as_problem(error)
        message = gettext(error.description) if error.description else ""
        return render_template("error.html", code=error.code, message=message), error.code or 500
