"""Helpers for admin tests: an account, a logged-in client, responses put straight in."""

from __future__ import annotations

import json
import re

from werkzeug.security import generate_password_hash

from surveyapp import store
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.store import accounts

PASSWORD = "correct horse battery"
# Accounts made here are logged in to thousands of times a run: scrypt at 2**10 rather than
# the production 2**15 (test_passwords.py::test_hashes_use_the_production_cost). Accounts
# made through the CLI, the first-admin bootstrap and the accounts page keep the full cost.
CHEAP_HASH = "scrypt:1024:8:1"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf(html: str) -> str:
    return TOKEN.search(html).group(1)


def make_admin(app, username="ada", role="admin", password=PASSWORD) -> None:
    with app.app_context():
        db = store.thread_connection(app.config["DATABASE"])
        accounts.create_admin(db, username, generate_password_hash(password, CHEAP_HASH), role)


def login(client, username="ada", password=PASSWORD, **environ):
    page = client.get("/admin/login")
    return client.post(
        "/admin/login",
        data={"csrf_token": csrf(page.text), "username": username, "password": password},
        environ_base=environ,
    )


def admin_client(app):
    make_admin(app)
    client = app.test_client()
    assert login(client).status_code == 302
    return client


def add(app, survey: str, answers: dict, edition: int | None = None, **extra) -> str:
    """Store one response as the survey views would, bypassing the pages."""
    editions = app.extensions["surveys"][survey]
    definition = editions[edition or max(editions)]
    db = store.thread_connection(app.config["DATABASE"])
    response_id, _created = store.insert_response(
        db,
        survey=survey,
        edition=definition.edition,
        version=definition.version,
        answers=answers,
        counted=counted_fields(definition),
        **extra,
    )
    return response_id


CMO_ITEMS = [
    "communicate", "timeframes", "cost_containment", "process_variability", "tech_transfer",
    "scale_differences", "difficult_problems", "regulatory_role", "hand_off",
    "unsuitable_cell_lines",
]  # fmt: skip


def cmo(size="small", region="europe", ratings=None, comments=None) -> dict:
    """A complete cmo answer set; `ratings` overrides some items (default 'rare')."""
    answers = {"manufactures_for_clients": "yes", "company_size": size, "region": region}
    answers |= {f"problems-{item}": "rare" for item in CMO_ITEMS}
    answers |= {f"problems-{k}": v for k, v in (ratings or {}).items()}
    if comments is not None:
        answers["comments"] = comments
    return answers


def stored_count(app) -> int:
    """How many responses the app's database holds."""
    db = store.thread_connection(app.config["DATABASE"])
    return db.execute("SELECT count(*) FROM responses").fetchone()[0]


def stored_answers(app) -> list[dict]:
    """The answers of every stored response, oldest first."""
    db = store.thread_connection(app.config["DATABASE"])
    return [json.loads(r["answers"]) for r in db.query("SELECT answers FROM responses ORDER BY id")]
