"""The store's SQL in PostgreSQL's words. The store writes one SQL for both engines where
they agree; what differs only in spelling is rewritten here, once per statement text
(cached): `?` and `:name` placeholders, INSERT OR IGNORE / OR REPLACE, two-argument
max()/min(), and the row id a caller reads after an INSERT. What differs in meaning is
written per engine in the store module that needs it."""

from __future__ import annotations

import functools
import re

# Tables whose row id the database numbers: an INSERT into one returns it (lastrowid).
IDENTITY_TABLES = frozenset({
    "admins", "api_tokens", "audit", "imports", "invitations", "webhook_endpoints",
    "webhook_outbox", "webhook_attempts",
})  # fmt: skip
_INSERT = re.compile(r"^\s*INSERT\s+(OR\s+(IGNORE|REPLACE)\s+)?INTO\s+(\w+)", re.I)
_TOKEN = re.compile(
    r"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|/\*.*?\*/|\?|(?<!:):(\w+)|%|\b(max|min)\s*\(", re.I | re.S
)


class Unsupported(ValueError):
    """A statement this translation cannot express in PostgreSQL."""


@functools.lru_cache(maxsize=4096)
def translate(sql: str, keys: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> tuple[str, bool]:
    """(PostgreSQL text, whether it returns the new row id); `keys` are the primary keys
    of the tables an INSERT OR REPLACE may name."""
    text = _placeholders(sql)
    found = _INSERT.match(text)
    returns_id = False
    if found:
        verb, table = (found.group(2) or "").upper(), found.group(3)
        text = f"INSERT INTO {table}" + text[found.end() :]
        text = _conflict(text, verb, dict(keys).get(table))
        if table in IDENTITY_TABLES and not re.search(r"\bRETURNING\b", text, re.I):
            text, returns_id = f"{text.rstrip().rstrip(';')} RETURNING id", True
    return text, returns_id


def _conflict(text: str, verb: str, key: tuple[str, ...] | None) -> str:
    if verb == "IGNORE":
        return f"{text.rstrip().rstrip(';')} ON CONFLICT DO NOTHING"
    if verb != "REPLACE":
        return text
    if not key:
        raise Unsupported(f"INSERT OR REPLACE into a table without a primary key: {text[:80]}")
    columns = re.search(r"INTO\s+\w+\s*\(([^)]*)\)", text, re.I)
    if columns is None:
        raise Unsupported(f"INSERT OR REPLACE needs its column list: {text[:80]}")
    names = [c.strip() for c in columns.group(1).split(",")]
    changes = ", ".join(f"{c} = excluded.{c}" for c in names if c not in key)
    action = f"DO UPDATE SET {changes}" if changes else "DO NOTHING"
    return f"{text.rstrip().rstrip(';')} ON CONFLICT ({', '.join(key)}) {action}"


def _placeholders(sql: str) -> str:
    """`?` -> %s, `:name` -> %(name)s, max(a, b) -> GREATEST(a, b), outside quoted text
    and comments; every % -> %% (psycopg reads % everywhere: statements always go with
    parameters, an empty list when they have none)."""
    out, last = [], 0
    for match in _TOKEN.finditer(sql):
        piece = match.group(0)
        out.append(sql[last : match.start()])
        last = match.end()
        if piece == "?":
            out.append("%s")
        elif piece == "%":
            out.append("%%")
        elif match.group(1):
            out.append(f"%({match.group(1)})s")
        elif match.group(2):
            out.append(_extremum(sql, match))
        else:
            out.append(piece.replace("%", "%%"))
    out.append(sql[last:])
    return "".join(out)


def _extremum(sql: str, match: re.Match) -> str:
    """max(...)/min(...) with two or more arguments is SQLite's scalar GREATEST/LEAST."""
    depth, commas = 1, 0
    for char in sql[match.end() :]:
        depth += {"(": 1, ")": -1}.get(char, 0)
        commas += char == "," and depth == 1
        if depth == 0:
            break
    if commas == 0:
        return match.group(0)
    return "GREATEST(" if match.group(2).lower() == "max" else "LEAST("
