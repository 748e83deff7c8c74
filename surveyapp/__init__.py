"""surveyapp: questionnaires from declarative definitions, stored in SQLite."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import sqlite_utils
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from surveyapp import config, store
from surveyapp.config import SHIPPED_SURVEYS
from surveyapp.exchange import definition_files
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.store import audit, schema
from surveyapp.store.catalogue import LiveCatalog

__all__ = ["SHIPPED_SURVEYS", "check_store", "create_app", "init_store"]


def create_app(test_config: dict[str, Any] | None = None, *, init_db: bool = False) -> Flask:
    """The application; settings as surveyapp/config.py layers them.

    It writes nothing to the database: `surveyapp init-db` (or `serve`) creates and
    upgrades it before workers start, and each worker checks, reading only, that it is
    ready (check_store), refusing to start otherwise. A command line loading the app
    leaves that to its command. `init_db=True` (tests, benches) first does what
    `init-db` does."""
    app = Flask(
        __name__,
        instance_path=config.instance_path(),
        instance_relative_config=True,
        template_folder=_shipped("templates"),
        static_folder=_shipped("static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config.load(app.config, test_config)
    if not app.config.get("SECRET_KEY"):
        _refuse_on_postgres(app, "SECRET_KEY")
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    # The stored versions, read by check_store and at each request (surveyapp.web).
    app.extensions["live_catalog"] = LiveCatalog()
    app.extensions["surveys"] = Catalog()

    from surveyapp import cli, web
    from surveyapp.web import admin, api, survey

    if init_db:
        init_store(app)
    if init_db or not cli.loading_for_a_command():
        check_store(app)
    web.init_app(app)
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:  # only behind a proxy we run: otherwise clients could forge their address
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    for blueprint in (survey.bp, survey.invite_bp, admin.bp, api.bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)
    return app


def create_server_app() -> Flask:
    """The application as `serve` (gunicorn) runs it: admin figure views answered by
    processes of lower priority than respondents' pages (surveyapp.web.apart)."""
    from surveyapp.web import apart

    app = create_app()
    apart.install(app, create_app)
    return app


def init_store(app: Flask) -> list[str]:
    """What `init-db` and `serve` do before any worker starts: create the database if it
    is missing (readable by its owner only), apply pending migrations and publish each
    definition file never stored (a file that cannot be is logged and skipped: see
    surveyapp.exchange.definition_files). Returns the migrations applied."""
    _use_audit_key(app)
    db = store.connect(app.config["DATABASE"], create=True)
    try:
        store.check_settings(db)
        applied = schema.init_db(db)
        folders = map(Path, app.config["SURVEY_FOLDERS"])
        problems = definition_files.import_files(db, folders).problems
    finally:
        db.close()
    for problem in problems:  # served without it; check-definitions exits 1 on it
        app.logger.warning("%s", problem)
    return applied


def check_store(app: Flask) -> sqlite_utils.Database:
    """The database, if it is ready to serve this app: it exists, its connection settings
    are safe and no migration is pending (StorageError otherwise); the app's catalogue is
    then read from its stored versions."""
    _use_audit_key(app)
    db = store.thread_connection(app.config["DATABASE"])
    store.check_settings(db)
    schema.check_ready(db)
    app.extensions["surveys"] = app.extensions["live_catalog"].current(db)
    return db


def _use_audit_key(app: Flask) -> None:
    """Key the audit log of this app's database: AUDIT_KEY, else a key generated once into
    instance/audit_key (outside the database)."""
    if not app.config["AUDIT_KEY"]:
        _refuse_on_postgres(app, "AUDIT_KEY")
        app.config["AUDIT_KEY"] = audit.instance_key(Path(app.instance_path) / "audit_key")
    audit.register_key(app.config["DATABASE"], app.config["AUDIT_KEY"])


def _refuse_on_postgres(app: Flask, key: str) -> None:
    """On PostgreSQL every host must share the keys: none is made in one host's instance
    folder."""
    if store.pg.is_url(app.config["DATABASE"]):
        raise RuntimeError(f"SURVEYAPP_{key} must be set when the database is PostgreSQL:"
                           " every app host uses the same one")  # fmt: skip


def _shipped(folder: str) -> str:
    """templates/ or static/: inside the package when installed from a wheel, else the
    source checkout's top-level folder."""
    package = Path(__file__).resolve().parent
    inside = package / folder
    return str(inside if inside.is_dir() else package.parent / folder)


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
