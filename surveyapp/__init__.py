"""surveyapp: questionnaires from declarative definitions, stored in SQLite."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from surveyapp import store
from surveyapp.questionnaire.loader import definition_files, load_all
from surveyapp.store import audit, schema

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_SURVEYS = Path(__file__).resolve().parent / "surveys"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory: defaults < instance/config.py < environment < test_config."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("SURVEYAPP_INSTANCE", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE=str(Path(app.instance_path) / "surveyapp.db"),
        SURVEY_FOLDERS=[str(SHIPPED_SURVEYS), str(Path(app.instance_path) / "surveys")],
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=1024 * 1024,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        LOGIN_MAX_FAILURES=5,  # per account+address before delays start
        LOGIN_ADDRESS_FAILURES=20,
        LOGIN_ACCOUNT_FAILURES=100,
        LOGIN_DELAY_SECONDS=30,  # the first delay, doubling with each further failure
        LOGIN_LOCK_SECONDS=900,  # the longest delay
        LOGIN_FORGET_SECONDS=86400,
        LOGIN_KNOWN_DAYS=30,
        LOGIN_AUDIT_WINDOW_SECONDS=3600,
        LOGIN_AUDIT_ENTRIES=50,
        ADMIN_IDLE_MINUTES=60,
        ADMIN_SESSION_HOURS=12,
        DRAFT_DAYS=30,
        DRAFTS_PER_ADDRESS=100,  # new drafts per SUBMISSION_WINDOW_SECONDS
        AUDIT_KEY=None,  # default: generated once into instance/audit_key
        RESPONSES_PER_PAGE=50,
        SUBMISSIONS_PER_ADDRESS=60,
        SUBMISSION_WINDOW_SECONDS=600,
        INVITATION_ATTEMPTS=20,
        PUBLIC_URL="http://127.0.0.1:5000",
        AUDIT_PER_PAGE=50,
        PROXY_HOPS=0,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        if os.environ.get("SURVEYAPP_DATABASE"):
            app.config["DATABASE"] = os.environ["SURVEYAPP_DATABASE"]
        if os.environ.get("SURVEYAPP_SECRET_KEY"):
            app.config["SECRET_KEY"] = os.environ["SURVEYAPP_SECRET_KEY"]
        if os.environ.get("SURVEYAPP_PUBLIC_URL"):
            app.config["PUBLIC_URL"] = os.environ["SURVEYAPP_PUBLIC_URL"]
        for name in ("SUBMISSIONS_PER_ADDRESS", "SUBMISSION_WINDOW_SECONDS", "DRAFTS_PER_ADDRESS"):
            if os.environ.get(f"SURVEYAPP_{name}"):
                app.config[name] = int(os.environ[f"SURVEYAPP_{name}"])
        if os.environ.get("SURVEYAPP_HTTPS") == "1":
            app.config["SESSION_COOKIE_SECURE"] = True
        if os.environ.get("SURVEYAPP_PROXY_HOPS"):
            app.config["PROXY_HOPS"] = int(os.environ["SURVEYAPP_PROXY_HOPS"])
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    audit.register_key(app.config["DATABASE"], _audit_key(app, from_env=test_config is None))

    app.extensions["surveys"] = load_all(
        definition_files(*(Path(p) for p in app.config["SURVEY_FOLDERS"]))
    )
    _prepare_database(app)

    from surveyapp import cli, web
    from surveyapp.web import admin, survey

    web.init_app(app)
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:  # only behind a proxy we run: otherwise clients could forge their address
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.register_blueprint(survey.bp)
    app.register_blueprint(survey.invite_bp)
    app.register_blueprint(admin.bp)
    cli.init_app(app)
    return app


def _instance_secret(path: Path) -> str:
    """One secret for every worker process, created once and kept across restarts."""
    try:
        with open(path, "x", encoding="utf-8") as handle:
            os.chmod(path, 0o600)
            handle.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to make a new secret key")
    return key


def _audit_key(app: Flask, from_env: bool) -> str:
    """SURVEYAPP_AUDIT_KEY, else AUDIT_KEY, else a key generated once into instance/audit_key."""
    if from_env and os.environ.get("SURVEYAPP_AUDIT_KEY"):
        app.config["AUDIT_KEY"] = os.environ["SURVEYAPP_AUDIT_KEY"]
    if not app.config["AUDIT_KEY"]:
        app.config["AUDIT_KEY"] = audit.instance_key(Path(app.instance_path) / "audit_key")
    return app.config["AUDIT_KEY"]


def _prepare_database(app: Flask) -> None:
    Path(app.config["DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
    db = store.thread_connection(app.config["DATABASE"])
    store.check_settings(db)
    if schema.migrations.pending(db):
        schema.init_db(db)
    store.record_definitions(
        db, [d for editions in app.extensions["surveys"].values() for d in editions.values()]
    )
