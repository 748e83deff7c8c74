"""Invitations: single-use links to invitation-only editions.

This module holds their SQL (tables from db.m003) and never imports Flask; submission
throttling per address is in surveyapp.store.submission_log.

A link carries `<token id>.<signature>`: the id is random and stored (UNIQUE), the
signature is an HMAC of the id with the secret key and is never stored, so a copy of
the database alone cannot forge a working link. For an anonymous edition the use is
recorded without the response id and without any time (used_at = ANONYMOUS_USE), and
the response's time is kept to the day only, so neither the database nor any admin page
can tie an invitation (or its email) to a response, not even on a day with one answer.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from surveyapp import store
from surveyapp.store import audit

TOKEN_BYTES = 12
EMAIL_MAX = 254
ANONYMOUS_USE = "anonymous"  # used_at of an anonymous edition's invitation: no time kept


class InvitationFileError(ValueError):
    """Bad rows in an invitation CSV; ``errors`` lists each with row and column."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class InvitationUsed(RuntimeError):
    """The invitation was used (or expired) before this response could claim it."""


def _signature(secret: str, token_id: str) -> str:
    message = f"invitation:{token_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def make_token(secret: str, token_id: str) -> str:
    return f"{token_id}.{_signature(secret, token_id)}"


def token_id_of(secret: str, token: str) -> str | None:
    """The token id when the signature is right (constant-time), else None."""
    token_id, _, signature = token.partition(".")
    expected = _signature(secret, token_id)
    if not token_id or not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return token_id


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def day_start(timestamp: str) -> str:
    """A stored timestamp coarsened to its day: midnight UTC."""
    return f"{timestamp[:10]}T00:00:00.000000Z"


def read_emails(path: Path) -> list[str]:
    """Emails from a CSV with an `email` column; every bad row reported, none returned."""
    errors: list[str] = []
    emails: list[str] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if "email" not in (reader.fieldnames or []):
                raise InvitationFileError([f"{path.name}:row 1: email: no 'email' column"])
            seen: dict[str, int] = {}
            for row in reader:
                number = reader.line_num
                email = (row.get("email") or "").strip()
                problem = email_problem(email, seen.get(email.lower()))
                if problem:
                    errors.append(f"{path.name}:row {number}: email: {problem}")
                seen.setdefault(email.lower(), number)
                emails.append(email)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvitationFileError([f"{path.name}: cannot read: {exc}"]) from None
    if errors:
        raise InvitationFileError(errors)
    if not emails:
        raise InvitationFileError([f"{path.name}: no rows"])
    return emails


def email_problems(emails: list[str]) -> list[str]:
    """What is wrong with each bad address of a list (`#N: problem`, N from 1)."""
    problems, seen = [], {}
    for number, email in enumerate(emails, 1):
        problem = email_problem(email, seen.get(email.lower()))
        if problem:
            problems.append(f"#{number}: {problem}")
        seen.setdefault(email.lower(), number)
    return problems


def email_problem(email: str, first_row: int | None) -> str:
    """Why `email` is refused ('' when it is not): malformed, or a repeat of `first_row`."""
    local, at, domain = email.rpartition("@")[0], "@" in email, email.rpartition("@")[2]
    if not email:
        return "empty"
    if len(email) > EMAIL_MAX or not at or not local or "." not in domain or " " in email:
        return f"{email!r} is not an email address"
    if first_row is not None:
        return f"{email!r} repeats row {first_row}"
    return ""


def create(
    db: sqlite_utils.Database,
    secret: str,
    survey: str,
    edition: int,
    emails: list[str | None],
    days: int,
    actor: str | None = None,
) -> list[tuple[str, str | None, str]]:
    """Create one invitation per entry of `emails` in one transaction, audited as `actor`
    (default: the command line's user). Returns (token, email, expires_at) for each."""
    now = datetime.now(UTC)
    created, expires = _at(now), _at(now + timedelta(days=days))
    rows = [(secrets.token_urlsafe(TOKEN_BYTES), email) for email in emails]
    with store.immediate(db):
        db.conn.executemany(
            "INSERT INTO invitations (survey, edition, token_id, email, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(survey, edition, token_id, email, created, expires) for token_id, email in rows],
        )
    audit.record(
        db,
        actor or audit.cli_actor(),
        "invitation",
        survey=survey,
        edition=edition,
        count=len(rows),
    )
    return [(make_token(secret, token_id), email, expires) for token_id, email in rows]


def find(db: sqlite_utils.Database, token_id: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM invitations WHERE token_id = ?", [token_id]))
    return rows[0] if rows else None


def state(invitation: dict[str, Any] | None, survey: str | None = None) -> str:
    """'valid', 'used', 'expired' or 'invalid' (unknown, or for another questionnaire)."""
    if invitation is None or survey not in (None, invitation["survey"]):
        return "invalid"
    if invitation["used_at"]:
        return "used"
    if invitation["expires_at"] <= store.utcnow():
        return "expired"
    return "valid"


def claimer(
    token_id: str, anonymous: bool, draft_key: str
) -> Callable[[sqlite_utils.Database, str], None]:
    """A claim for db.insert_response: mark the invitation used (and drop its draft) in
    the response's transaction, or raise InvitationUsed when used or expired meanwhile."""

    def claim(db: sqlite_utils.Database, response_id: str) -> None:
        now = store.utcnow()
        cursor = db.execute(
            "UPDATE invitations SET used_at = ?, response_id = ?, attempts_since = NULL"
            " WHERE token_id = ? AND used_at IS NULL AND expires_at > ?",
            [ANONYMOUS_USE if anonymous else now, None if anonymous else response_id,
             token_id, now],
        )  # fmt: skip
        if cursor.rowcount != 1:
            raise InvitationUsed(token_id)
        db.execute("DELETE FROM drafts WHERE key = ?", [draft_key])

    return claim


def count_attempt(db: sqlite_utils.Database, token_id: str, window_seconds: int) -> int:
    """Count one final-submit attempt with this invitation; return the attempts made in
    the current window, which starts at the first attempt and lasts `window_seconds`
    (an attempt after it starts a new window at 1)."""
    now = datetime.now(UTC)
    params = {"token": token_id, "now": _at(now),
              "start": _at(now - timedelta(seconds=window_seconds))}  # fmt: skip
    with store.immediate(db):
        rows = db.execute(
            "UPDATE invitations SET"
            " attempts = CASE WHEN attempts_since >= :start THEN attempts + 1 ELSE 1 END,"
            " attempts_since = CASE WHEN attempts_since >= :start THEN attempts_since"
            " ELSE :now END"
            " WHERE token_id = :token RETURNING attempts",
            params,
        ).fetchall()
    return rows[0][0] if rows else 0


def summary(db: sqlite_utils.Database, survey: str) -> list[dict[str, Any]]:
    """Per edition: invitations sent, answered, expired unanswered, still open."""
    return list(
        db.query(
            "SELECT edition, count(*) AS sent, count(used_at) AS answered,"
            " sum(CASE WHEN used_at IS NULL AND expires_at <= :now THEN 1 ELSE 0 END) AS expired,"
            " sum(CASE WHEN used_at IS NULL AND expires_at > :now THEN 1 ELSE 0 END) AS pending"
            " FROM invitations WHERE survey = :survey GROUP BY edition ORDER BY edition DESC",
            {"survey": survey, "now": store.utcnow()},
        )
    )


STATUSES = {"open": "used_at IS NULL AND expires_at > :now", "answered": "used_at IS NOT NULL",
            "expired": "used_at IS NULL AND expires_at <= :now"}  # fmt: skip


def listing(db: sqlite_utils.Database, survey: str, limit: int, offset: int,
            status: str | None = None) -> list[dict]:  # fmt: skip
    """A page of invitations (`status`: a STATUSES key), each with its status; a
    negative `limit` means all of them."""
    scope = f" AND {STATUSES[status]}" if status else ""
    limit = limit if limit >= 0 else 2**62
    return list(
        db.query(
            "SELECT id, edition, email, created_at, expires_at, used_at, CASE WHEN used_at"  # noqa: S608
            " IS NOT NULL THEN 'answered' WHEN expires_at <= :now THEN 'expired' ELSE 'open'"
            f" END AS status FROM invitations WHERE survey = :survey{scope}"
            " ORDER BY edition DESC, id LIMIT :limit OFFSET :offset",
            {"survey": survey, "now": store.utcnow(), "limit": limit, "offset": offset},
        )
    )


def open_emails(db: sqlite_utils.Database, survey: str, edition: int, emails: list[str]) -> set:
    """Which of `emails` (lowercased) already hold an unused, unexpired invitation."""
    wanted = sorted({e.lower() for e in emails})
    found: set[str] = set()
    for chunk in (wanted[i : i + 500] for i in range(0, len(wanted), 500)):
        marks = ", ".join("?" * len(chunk))
        rows = db.execute(
            "SELECT lower(email) FROM invitations WHERE survey = ? AND edition = ?"  # noqa: S608
            f" AND used_at IS NULL AND expires_at > ? AND lower(email) IN ({marks})",
            [survey, edition, store.utcnow(), *chunk],
        )
        found.update(row[0] for row in rows)
    return found


def page_after(
    db: sqlite_utils.Database, survey: str, after: int, limit: int, edition: int | None = None
) -> list[tuple[int, dict]]:
    """(row id, invitation) of the questionnaire's invitations made after row `after`."""
    scope, params = ("", []) if edition is None else (" AND edition = ?", [edition])
    rows = db.query(
        "SELECT id, edition, email, created_at, expires_at, used_at FROM invitations"  # noqa: S608
        f" WHERE survey = ? AND id > ?{scope} ORDER BY id LIMIT ?",
        [survey, after, *params, limit],
    )
    return [(row["id"], row) for row in rows]
