"""The bare stack: the practical ceiling of Flask + SQLite on this machine.

One Flask view renders the 13 like-for-like fields as plain HTML (one Jinja
template compiled once), checks the answers by hand and inserts one row with
sqlite-utils (pysqlite3) in WAL mode, synchronous=FULL like surveyapp. No CSRF,
no session, no drafts, no counters: nothing a real survey platform must add.

Serve with: BASELINE_DB=/tmp/b.db gunicorn 'app:create_app()' (from bench/baseline).
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime

import sqlite_utils
from flask import Flask, redirect, request
from sqlite_utils.utils import sqlite3

SCALE = [
    ("very_common", "Very common problem"),
    ("somewhat_common", "Somewhat common problem"),
    ("rare", "Rare problem"),
    ("not_a_problem", "Not a problem"),
]
ITEMS = [
    "communicate", "timeframes", "cost_containment", "process_variability", "tech_transfer",
    "scale_differences", "difficult_problems", "regulatory_role", "hand_off",
    "unsuitable_cell_lines",
]  # fmt: skip
SIZES = [("small", "Fewer than 50"), ("medium", "50 to 499"), ("large", "500 or more")]
REGIONS = [("north_america", "North America"), ("europe", "Europe"), ("asia", "Asia"),
           ("other", "Other")]  # fmt: skip
CHOICES = {f"problems-{item}": SCALE for item in ITEMS} | {
    "company_size": SIZES,
    "region": REGIONS,
}
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Benchmark</title></head>
<body><h1>Working with biopharmaceutical clients</h1><form method="post" action="/s/bench">
{% for name, options in choices.items() %}<fieldset><legend>{{ name }}</legend>
{% for code, label in options %}<label><input type="radio" name="{{ name }}" value="{{ code }}">
{{ label }}</label>{% endfor %}</fieldset>
{% endfor %}<label>Comments <textarea name="comments" maxlength="4000"></textarea></label>
<button type="submit">Submit</button></form></body></html>"""
_local = threading.local()


def _db() -> sqlite_utils.Database:
    if not hasattr(_local, "db"):
        conn = sqlite3.connect(os.environ.get("BASELINE_DB", "baseline.db"), timeout=10)
        db = sqlite_utils.Database(conn, execute_plugins=False)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS responses (id INTEGER PRIMARY KEY,"
            " submitted_at TEXT NOT NULL, answers TEXT NOT NULL)"
        )
        _local.db = db
    return _local.db


def create_app() -> Flask:
    app = Flask(__name__)
    page = app.jinja_env.from_string(PAGE)

    @app.get("/s/bench")
    def form():
        return page.render(choices=CHOICES)

    @app.post("/s/bench")
    def submit():
        answers, errors = {}, []
        for name, options in CHOICES.items():
            value = request.form.get(name, "")
            if value not in {code for code, _label in options}:
                errors.append(name)
            answers[name] = value
        comments = request.form.get("comments", "").strip()
        if len(comments) > 4000:
            errors.append("comments")
        if errors:
            return {"errors": errors}, 422
        answers["comments"] = comments
        db = _db()
        with db.conn:
            db.execute(
                "INSERT INTO responses (submitted_at, answers) VALUES (?, ?)",
                [datetime.now(UTC).isoformat(), json.dumps(answers)],
            )
        return redirect("/s/bench/thanks")

    return app
