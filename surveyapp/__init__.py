"""surveyapp: questionnaires from declarative definitions, stored in SQLite."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from surveyapp import store
from surveyapp.exchange import definition_files
from surveyapp.store import schema
from surveyapp.store.catalogue import LiveCatalog

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
        LOGIN_MAX_FAILURES=5,
        LOGIN_LOCK_SECONDS=900,
        RESPONSES_PER_PAGE=50,
        SUBMISSIONS_PER_ADDRESS=60,
        SUBMISSION_WINDOW_SECONDS=600,
        INVITATION_ATTEMPTS=20,
        INVITATION_ATTEMPT_WINDOW_SECONDS=600,
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
        for name in ("SUBMISSIONS_PER_ADDRESS", "SUBMISSION_WINDOW_SECONDS"):
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


def _prepare_database(app: Flask) -> None:
    Path(app.config["DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
    db = store.thread_connection(app.config["DATABASE"])
    store.check_settings(db)
    if schema.migrations.pending(db):
        schema.init_db(db)
    imported = definition_files.import_files(db, map(Path, app.config["SURVEY_FOLDERS"]))
    for problem in imported.problems:  # served without it; check-definitions exits 1 on it
        app.logger.warning("%s", problem)
    app.extensions["live_catalog"] = live = LiveCatalog()
    app.extensions["surveys"] = live.current(db)
