"""`surveyapp serve`: the production server (gunicorn, threaded workers) for the quick start."""

from __future__ import annotations

import os
import shutil
import sys

import click
from flask import current_app

from surveyapp import store
from surveyapp.store import accounts, passwords, schema


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


@click.command("serve")
@click.option("--host", default=lambda: os.environ.get("SURVEYAPP_HOST", "127.0.0.1"))
@click.option("--port", default=lambda: int(os.environ.get("SURVEYAPP_PORT", "5000")), type=int)
@click.option(
    "--workers",
    default=lambda: int(os.environ.get("SURVEYAPP_WORKERS", str(os.cpu_count() or 1))),
    type=int,
    help="Worker processes (default: one per core).",
)
@click.option(
    "--threads",
    default=lambda: int(os.environ.get("SURVEYAPP_THREADS", "16")),
    type=int,
    help="Threads per worker, so live admin pages never hold a worker hostage.",
)
def serve_command(host: str, port: int, workers: int, threads: int) -> None:
    """Create the schema, make the first admin if needed, print the URLs and run gunicorn."""
    db = store.thread_connection(current_app.config["DATABASE"])
    schema.init_db(db)
    generated = bootstrap_admin(db)
    base = f"http://{host}:{port}"
    click.echo(f"surveyapp on {base} (database {current_app.config['DATABASE']})")
    for survey_id in sorted(current_app.extensions["surveys"]):
        click.echo(f"  questionnaire: {base}/s/{survey_id}")
    click.echo(f"  admin:         {base}/admin")
    if generated:
        click.echo(f"  first admin 'admin', password (shown once): {generated}")
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    args = [
        gunicorn, "--config", "python:surveyapp.gunicorn_conf", "--bind", f"{host}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--no-control-socket",
    ]  # fmt: skip
    os.execv(gunicorn, args)  # noqa: S606 - our own venv's gunicorn, fixed arguments
