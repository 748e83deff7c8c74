"""`surveyapp serve`: the production server (gunicorn, threaded workers) for the quick start."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app

from surveyapp.cli import catalog, init_database, open_store
from surveyapp.config import server_settings
from surveyapp.store import accounts, passwords


def bootstrap_admin(db) -> str | None:
    """Create the first admin when there is none; return a generated password to print
    once. A SURVEYAPP_ADMIN_PASSWORD that fails the password policy is refused."""
    if accounts.admin_count(db):
        return None
    username = os.environ.get("SURVEYAPP_ADMIN_USER", "admin")
    password = os.environ.get("SURVEYAPP_ADMIN_PASSWORD")
    generated = None
    if not password:
        password = generated = passwords.generate()
    refused = passwords.problem(password)
    if refused:
        raise click.ClickException(f"SURVEYAPP_ADMIN_PASSWORD: {refused}")
    accounts.create_admin(db, username, passwords.hash_password(password), "admin")
    return generated


def _setting(name: str):
    return lambda: getattr(server_settings(), name)


@click.command("serve")
@click.option("--host", default=_setting("host"), help="Default: SURVEYAPP_HOST or 127.0.0.1.")
@click.option("--port", default=_setting("port"), type=click.IntRange(1, 65535),
              help="Default: SURVEYAPP_PORT or 5000.")  # fmt: skip
@click.option("--workers", default=_setting("workers"), type=click.IntRange(1),
              help="Worker processes (default: SURVEYAPP_WORKERS or one per core).")  # fmt: skip
@click.option("--threads", default=_setting("threads"), type=click.IntRange(1),
              help="Threads per worker, so live admin pages never hold a worker hostage"
                   " (default: SURVEYAPP_THREADS or 16).")  # fmt: skip
@click.option("--webhooks/--no-webhooks", default=True, show_default=True,
              help="Start the webhook deliverer beside the server.")  # fmt: skip
def serve_command(host: str, port: int, workers: int, threads: int, webhooks: bool) -> None:
    """Create or upgrade the database, make the first admin if needed, print the URLs and
    run gunicorn, with the webhook deliverer beside it; workers start only once the
    database is ready."""
    init_database()
    generated = bootstrap_admin(open_store())
    base = f"http://{host}:{port}"
    click.echo(f"surveyapp on {base} (database {current_app.config['DATABASE']})")
    for survey_id in sorted(catalog()):
        click.echo(f"  questionnaire: {base}/s/{survey_id}")
    click.echo(f"  admin:         {base}/admin")
    if generated:
        click.echo(f"  first admin 'admin', password (shown once): {generated}")
    # This interpreter's gunicorn: a venv's bin/ need not be on PATH.
    args = [
        sys.executable, "-m", "gunicorn", "--config", "python:surveyapp.gunicorn_conf",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
        "--no-control-socket",
    ]  # fmt: skip
    if not webhooks:  # else gunicorn's on_starting hook (gunicorn_conf.py) starts the deliverer
        args += ["--env", "SURVEYAPP_DELIVER_WEBHOOKS=0"]
    os.execv(sys.executable, args)  # noqa: S606 - fixed arguments
