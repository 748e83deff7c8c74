"""Settings: the app's defaults, their layering, and the server's environment variables.

App settings, lowest precedence first: DEFAULTS < instance/config.py < SURVEYAPP_<KEY>
environment variables < test_config. Environment values are parsed as JSON where they
can be (`SURVEYAPP_PROXY_HOPS=2` is the number 2) and must keep the type of the default
they replace; text settings (`SURVEYAPP_DATABASE`, ...) are taken as written. The server
variables (SERVER_VARIABLES) are read once, by `server_settings`, for gunicorn and `serve`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Config

PREFIX = "SURVEYAPP"
PACKAGE = Path(__file__).resolve().parent
SHIPPED_SURVEYS = PACKAGE / "surveys"
CHECKOUT = PACKAGE.parent if (PACKAGE.parent / "pyproject.toml").is_file() else None

DEFAULTS: dict[str, Any] = {
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "LOGIN_MAX_FAILURES": 5,  # per account+address before delays start
    "LOGIN_ADDRESS_FAILURES": 20,
    "LOGIN_ACCOUNT_FAILURES": 100,
    "LOGIN_DELAY_SECONDS": 30,  # the first delay, doubling with each further failure
    "LOGIN_LOCK_SECONDS": 900,  # the longest delay
    "LOGIN_FORGET_SECONDS": 86400,
    "LOGIN_KNOWN_DAYS": 30,
    "LOGIN_AUDIT_WINDOW_SECONDS": 3600,
    "LOGIN_AUDIT_ENTRIES": 50,
    "ADMIN_IDLE_MINUTES": 60,
    "ADMIN_SESSION_HOURS": 12,
    "DRAFT_DAYS": 30,
    "DRAFTS_PER_ADDRESS": 100,  # new drafts per SUBMISSION_WINDOW_SECONDS
    "AUDIT_KEY": "",  # empty: generated once into instance/audit_key (SQLite only)
    # postgresql://... runs on PostgreSQL; sqlite:///path or empty: the SQLite file DATABASE
    "DATABASE_URL": "",
    "RESPONSES_PER_PAGE": 50,
    "SUBMISSIONS_PER_ADDRESS": 60,
    "SUBMISSION_WINDOW_SECONDS": 600,
    "INVITATION_ATTEMPTS": 20,
    "INVITATION_ATTEMPT_WINDOW_SECONDS": 600,
    "ADMIN_READ_SECONDS": 5,
    "HEAVY_READS_PER_WORKER": 2,
    "HEAVY_READS_NICE": 19,
    # processes per worker serving admin figure views under `serve` (web/apart.py); 0: none
    "ADMIN_VIEWS_APART": 2,
    "ADMIN_VIEWS_NICE": 10,  # their nice steps below the workers (19 starves them on a busy host)
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "AUDIT_PER_PAGE": 50,
    "PROXY_HOPS": 0,
    "API_RATE_LIMIT": 600,
    "API_RATE_WINDOW_SECONDS": 60,
    "WEBHOOKS_ALLOW_PRIVATE": False,
    "HOME_LISTS_SURVEYS": True,  # the home page lists open questionnaires; False: a welcome only
    "LOGO_MAX_BYTES": 512 * 1024,  # the largest logo the builder accepts
    "REPORT_CHROMIUM": "/usr/bin/chromium",  # the browser that prints the report's PDF
    "REPORT_PDF_SECONDS": 60,  # the longest it may take; then the PDF route answers 503
    "REPORT_COMMENTS": 40,  # comments a printed report lists per questionnaire (then a link)
    "RESUME_DAYS": 30,  # how long a "continue later" link works (its draft: DRAFT_DAYS)
    "MAIL_SERVER": "",  # SMTP host for e-mailing resume links; empty: no e-mail offered
    "MAIL_PORT": 25,
    "MAIL_FROM": "",
    "MAIL_USERNAME": "",  # empty: no log-in
    "MAIL_PASSWORD": "",
    "MAIL_STARTTLS": False,
    "ADMIN_TIMEZONE": "UTC",  # IANA zone the admin pages show times in (UTC on hover)
}

# SURVEYAPP_* variables that are not app settings: the server's, the instance folder's
# and the first admin's (a password must not linger in app.config).
SERVER_VARIABLES = ("HOST", "PORT", "WORKERS", "THREADS", "WORKER_TIMEOUT",
                    "GRACEFUL_TIMEOUT", "ACCESS_LOG")  # fmt: skip
NOT_APP_SETTINGS = (*SERVER_VARIABLES, "INSTANCE", "ADMIN_USER", "ADMIN_PASSWORD", "HTTPS",
                    "DELIVER_WEBHOOKS")  # fmt: skip
# Settings taken as written even where Flask's default is None (a key of digits stays text).
TEXT_SETTINGS = ("SECRET_KEY", "SERVER_NAME")
KINDS = {bool: "true or false", int: "a whole number", list: 'a JSON list (["a", "b"])'}


class ConfigError(ValueError):
    """A setting with a value of the wrong kind (e.g. SURVEYAPP_PORT=abc)."""


def instance_path() -> str | None:
    """SURVEYAPP_INSTANCE, else the checkout's instance/ folder; None (installed from a
    wheel): Flask's default, <prefix>/var/surveyapp-instance."""
    if os.environ.get(f"{PREFIX}_INSTANCE"):
        return os.environ[f"{PREFIX}_INSTANCE"]
    return str(CHECKOUT / "instance") if CHECKOUT else None


def load(config: Config, test_config: Mapping[str, Any] | None) -> None:
    """Fill `config` (whose root_path is the instance folder) layer by layer.

    A test_config is laid on the defaults alone, so that no file or variable of the
    machine running the tests changes them."""
    instance = Path(config.root_path)
    config.from_mapping(DEFAULTS)
    config.from_mapping(
        DATABASE=str(instance / "surveyapp.db"),
        SURVEY_FOLDERS=[str(SHIPPED_SURVEYS), str(instance / "surveys")],
    )
    if test_config is None:
        config.from_pyfile("config.py", silent=True)
        _environment(config, os.environ)
    else:
        config.from_mapping(test_config)
    config["DATABASE"] = database(config["DATABASE_URL"], config["DATABASE"])


def database(url: str, path: str) -> str:
    """What the store connects to: a postgresql:// URL as it is, `sqlite:///path` as the
    path, and without a URL the DATABASE path."""
    if not url:
        return path
    if url.startswith(("postgresql://", "postgres://")):
        return url
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///") or path
    raise ValueError(
        f"SURVEYAPP_DATABASE_URL: {url.split(':')[0]}:// is neither postgresql nor sqlite"
    )


def _environment(config: Config, environ: Mapping[str, str]) -> None:
    before = dict(config)
    config.from_prefixed_env(PREFIX)
    if _variable(environ, "HTTPS") in ("1", "true"):
        config["SESSION_COOKIE_SECURE"] = True
    for key in NOT_APP_SETTINGS:
        if key not in before:
            config.pop(key, None)
    for key, previous in before.items():
        raw = _variable(environ, key)
        if raw is not None:
            config[key] = _typed(key, raw, config[key], previous)


def _variable(environ: Mapping[str, str], key: str) -> str | None:
    return environ.get(f"{PREFIX}_{key}")


def _typed(key: str, raw: str, parsed: Any, previous: Any) -> Any:
    """The value a variable gives a setting: an empty variable changes nothing, text
    settings take the text as written, others must parse to the kind they replace."""
    if raw == "":
        return previous
    if isinstance(previous, str) or key in TEXT_SETTINGS:
        return raw
    if isinstance(previous, bool | int | list) and type(parsed) is not type(previous):
        kind = KINDS[type(previous)]
        raise ConfigError(f"{PREFIX}_{key} must be {kind}, not {raw!r}")
    return parsed


@dataclass(frozen=True)
class ServerSettings:
    """gunicorn's settings from the environment (`serve` options override them)."""

    host: str
    port: int
    workers: int
    threads: int
    timeout: int
    graceful_timeout: int
    access_log: str | None


def server_settings(environ: Mapping[str, str] | None = None) -> ServerSettings:
    environ = os.environ if environ is None else environ

    def number(key: str, default: int, least: int = 1) -> int:
        raw = _variable(environ, key) or str(default)
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{PREFIX}_{key} must be a whole number, not {raw!r}") from None
        if value < least:
            raise ConfigError(f"{PREFIX}_{key} must be at least {least}, not {value}")
        return value

    access_log = _variable(environ, "ACCESS_LOG")
    return ServerSettings(
        host=_variable(environ, "HOST") or "127.0.0.1",
        port=number("PORT", 5000),
        workers=number("WORKERS", os.cpu_count() or 1),
        threads=number("THREADS", 16),
        timeout=number("WORKER_TIMEOUT", 30, least=0),
        graceful_timeout=number("GRACEFUL_TIMEOUT", 20, least=0),
        access_log="-" if access_log is None else (access_log or None),
    )
