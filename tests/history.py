"""Shared helpers for the editions, import and trends tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from surveyapp import SHIPPED_SURVEYS

DATA = Path(__file__).parent / "data"
HISTORY_SURVEYS = DATA / "surveys"
HISTORY = {2010: DATA / "cmo-2010.csv", 2011: DATA / "cmo-2011.jsonl", 2012: DATA / "cmo-2012.csv"}


def history_app(make_app, **config):
    """The shipped questionnaires plus the cmo 2010 (no hand_off item) and 2011 editions."""
    return make_app(SHIPPED_SURVEYS, HISTORY_SURVEYS, **config)


def fixture_rows(edition: int) -> list[dict[str, str]]:
    """The rows of a history fixture, read independently of the importer."""
    path = HISTORY[edition]
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def recount(db) -> dict[tuple, int]:
    """Counters recomputed from the answers table (every answered field is tallied here)."""
    expected: dict[tuple, int] = {}
    for survey, edition, n in db.execute(
        "SELECT survey, edition, count(*) FROM responses GROUP BY survey, edition"
    ):
        expected[(survey, edition, "*", "*")] = n
    for survey, edition, field, value, n in db.execute(
        "SELECT survey, edition, field, value, count(*) FROM answers"
        " WHERE field != 'comments' GROUP BY survey, edition, field, value"
    ):
        expected[(survey, edition, field, value)] = n
    for survey, edition, field, n in db.execute(
        "SELECT survey, edition, field, count(DISTINCT response) FROM answers"
        " WHERE field != 'comments' GROUP BY survey, edition, field"
    ):
        expected[(survey, edition, field, "*")] = n
    for survey, edition, field, n in db.execute(
        "SELECT survey, edition, field, count(*) FROM not_shown"
        " WHERE field != 'comments' GROUP BY survey, edition, field"
    ):
        expected[(survey, edition, field, "~not_shown")] = n
    return expected


def counters(db) -> dict[tuple, int]:
    rows = db.execute("SELECT survey, edition, field, value, count FROM counters").fetchall()
    return {tuple(row[:4]): row[4] for row in rows}


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - test tables
