"""Full-text search in text answers: one FTS5 row per stored response (its row id), holding
the values of the fields its definition does not count (free text), written in the same
transaction as the response. A query is the user's words, each matched as a prefix.

On PostgreSQL the row is in a table whose `words` column is the tsvector of its text; the
text is stored as the words FTS5's tokenizer would find (letters and digits, lower case,
without diacritics), so that both engines match the same words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import sqlite_utils

from surveyapp.questionnaire.marks import MARKS, status
from surveyapp.store.connection import is_postgres

SQL = """
    CREATE VIRTUAL TABLE response_search USING fts5(
        text, tokenize = 'unicode61 remove_diacritics 2'
    );
"""
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"[^\W_]+")
MAX_WORDS = 20


def search_text(answers: dict[str, Any], counted: Iterable[str]) -> str:
    """The text answers of a completed response, one per line ('' when it has none)."""
    if status(answers) != "completed":
        return ""
    skip = set(counted) | MARKS
    parts = []
    for field, value in answers.items():
        if field in skip:
            continue
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, str) and one.strip():
                parts.append(one)
    return "\n".join(parts)


def index(db: sqlite_utils.Database, rows: Iterable[tuple[int, str]]) -> None:
    """Add (row id, text) rows; empty texts are left out. Runs in the caller's transaction."""
    texts = [(rowid, text) for rowid, text in rows if text]
    if is_postgres(db):
        texts = [(rowid, folded) for rowid, text in texts if (folded := " ".join(tokens(text)))]
    if texts:
        db.conn.executemany("INSERT INTO response_search (rowid, text) VALUES (?, ?)", texts)


def unindex(db: sqlite_utils.Database, rowid: int) -> None:
    db.execute("DELETE FROM response_search WHERE rowid = ?", [rowid])


def words(query: str) -> list[str]:
    """The words of a search, as FTS5 sees them (letters and digits)."""
    return _WORD.findall(query)[:MAX_WORDS]


def tokens(text: str) -> list[str]:
    """The words FTS5's unicode61 tokenizer (remove_diacritics 2) finds in `text`: runs of
    letters and digits, in lower case, their diacritics removed."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _TOKEN.findall(plain.lower())


def condition(db: sqlite_utils.Database, query: str) -> tuple[str, str] | None:
    """(SQL keeping the responses whose text answers hold every word of `query`, each as a
    prefix, with `id` the response's row id; its one parameter), or None without words."""
    if not is_postgres(db):
        expression = match_expression(query)
        return (f"id IN ({matching_sql()})", expression) if expression else None
    found = [token for word in words(query) for token in tokens(word)][:MAX_WORDS]
    if not found:
        return None
    sql = "id IN (SELECT rowid FROM response_search WHERE words @@ to_tsquery('simple', ?))"
    return sql, " & ".join(f"{token}:*" for token in found)


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression: every word, each as a prefix; None when there are none.
    Words hold only letters, digits and '_', so quoting them keeps FTS5 syntax out."""
    found = words(query)
    return " ".join(f'"{word}"*' for word in found) if found else None


def matching_sql() -> str:
    """SQL selecting the row ids whose text matches the one parameter."""
    return "SELECT rowid FROM response_search WHERE response_search MATCH ?"


def backfill_rows(db: sqlite_utils.Database, batch: int = 2000) -> Iterator[list[tuple[int, str]]]:
    """(row id, text) of every stored response, in batches: a field counts as counted in an
    edition when it has a counter there (what `counter_deltas` wrote for it)."""
    counted: dict[tuple[str, int], set[str]] = {}
    for survey, edition, field in db.execute(
        "SELECT DISTINCT survey, edition, field FROM counters WHERE field != '*'"
    ):
        counted.setdefault((survey, edition), set()).add(field)
    after = 0
    while True:
        rows = db.execute(
            "SELECT id, survey, edition, answers FROM responses WHERE id > ? ORDER BY id LIMIT ?",
            [after, batch],
        ).fetchall()
        if not rows:
            return
        after = rows[-1][0]
        yield [
            (rowid, search_text(orjson.loads(answers), counted.get((survey, edition), ())))
            for rowid, survey, edition, answers in rows
        ]
