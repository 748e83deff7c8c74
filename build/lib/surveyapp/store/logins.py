"""Log-in throttling and its bounded audit: all SQL of login_failures, login_known and
login_window (db.m005).

A failed password counts against three subjects: the account from this address ('pair'),
the address for any account, and the account from any address. Past its free failures a
subject waits `first_delay` seconds, doubling with each further failure up to `max_delay`.
Attempts made while a subject waits are refused before any password check and are not
counted, so hammering cannot lengthen the wait. An address with a recent successful
log-in for an account skips the address and account waits (not its own pair's), so others
hammering an account or sharing an address cannot lock its owner out. Counters are
forgotten after `forget_after` quiet seconds.

Audit: per window of `audit_window` seconds, the first failure of each account+address
gets its own `login_failed` entry, at most `audit_entries` of them; when the window ends,
one `login_failures` entry sums up any failures not logged one by one. So failures add at
most audit_entries + 1 rows per window, however many there are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from surveyapp.store import audit
from surveyapp.store.connection import immediate
from surveyapp.store.timestamps import stamp


@dataclass(frozen=True)
class Limits:
    per_pair: int = 5
    per_address: int = 20
    per_account: int = 100
    first_delay: int = 30
    max_delay: int = 900
    forget_after: int = 86_400
    known_days: int = 30
    audit_window: int = 3_600
    audit_entries: int = 50


def delay(failures: int, free: int, limits: Limits) -> int:
    """Seconds a subject waits after its `failures`-th failure."""
    if failures < free:
        return 0
    return min(limits.max_delay, limits.first_delay * 2 ** min(failures - free, 40))


def _keys(kind: str, username: str, address: str) -> list[str]:
    return [kind, "" if kind == "address" else username, "" if kind == "account" else address]


def is_known(db: sqlite_utils.Database, username: str, address: str, limits: Limits,
             now: datetime) -> bool:  # fmt: skip
    since = stamp(now - timedelta(days=limits.known_days))
    return (
        db.execute(
            "SELECT 1 FROM login_known WHERE username = ? AND address = ? AND at >= ?",
            [username, address, since],
        ).fetchone()
        is not None
    )


def wait_seconds(db: sqlite_utils.Database, username: str, address: str, limits: Limits,
                 now: datetime) -> int:  # fmt: skip
    """0 when this attempt may check its password; else the seconds it must wait."""
    kinds = ["pair"]
    if not is_known(db, username, address, limits, now):
        kinds += ["address", "account"]
    latest = ""
    for kind in kinds:
        row = db.execute(
            "SELECT blocked_until FROM login_failures"
            " WHERE kind = ? AND username = ? AND address = ?",
            _keys(kind, username, address),
        ).fetchone()
        latest = max(latest, row[0] if row else "")
    if latest <= stamp(now):
        return 0
    until = datetime.fromisoformat(latest.replace("Z", "+00:00"))
    return max(1, math.ceil((until - now).total_seconds()))


def record_failure(db: sqlite_utils.Database, username: str, address: str, limits: Limits,
                   now: datetime) -> None:  # fmt: skip
    """Count one failed password against the three subjects, audited within the bounds."""
    with immediate(db):
        roll_window(db, limits, now)
        db.execute(
            "DELETE FROM login_failures WHERE last_at < ?",
            [stamp(now - timedelta(seconds=limits.forget_after))],
        )
        first = _count(db, "pair", username, address, limits.per_pair, limits, now)
        _count(db, "address", username, address, limits.per_address, limits, now)
        _count(db, "account", username, address, limits.per_account, limits, now)
        if first:
            _audit_first(db, username, address, limits)


def _count(db: sqlite_utils.Database, kind: str, username: str, address: str, free: int,
           limits: Limits, now: datetime) -> bool:  # fmt: skip
    """Add a failure to one subject; True when it is the subject's first in the window."""
    keys = _keys(kind, username, address)
    row = db.execute(
        "SELECT failures, unreported FROM login_failures"
        " WHERE kind = ? AND username = ? AND address = ?",
        keys,
    ).fetchone()
    failures, unreported = (row[0] + 1, row[1] + 1) if row else (1, 1)
    wait = delay(failures, free, limits)
    until = stamp(now + timedelta(seconds=wait)) if wait else ""
    db.execute(
        "INSERT OR REPLACE INTO login_failures"
        " (kind, username, address, failures, unreported, last_at, blocked_until)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [*keys, failures, unreported, stamp(now), until],
    )
    return unreported == 1


def _audit_first(db: sqlite_utils.Database, username: str, address: str, limits: Limits) -> None:
    logged = db.execute("SELECT entries FROM login_window WHERE id = 1").fetchone()[0]
    if logged < limits.audit_entries:
        audit.record(db, f"addr:{address}", "login_failed", username=username, address=address)
        db.execute("UPDATE login_window SET entries = entries + 1 WHERE id = 1")


def roll_window(db: sqlite_utils.Database, limits: Limits, now: datetime) -> None:
    """End the audit window when it is over: sum up the failures not logged one by one
    (joins the caller's transaction); a new window starts now."""
    row = db.execute("SELECT started, entries FROM login_window WHERE id = 1").fetchone()
    if row and row[0] > stamp(now - timedelta(seconds=limits.audit_window)):
        return
    if row:
        _summarise(db, row[0], row[1], now)
    db.execute(
        "INSERT OR REPLACE INTO login_window (id, started, entries) VALUES (1, ?, 0)",
        [stamp(now)],
    )


def _summarise(db: sqlite_utils.Database, started: str, logged: int, now: datetime) -> None:
    rows = db.execute(
        "SELECT username, address, unreported FROM login_failures"
        " WHERE kind = 'pair' AND unreported > 0 ORDER BY unreported DESC, username, address"
    ).fetchall()
    total = sum(row[2] for row in rows)
    if total > logged:
        audit.record(
            db, "surveyapp", "login_failures", since=started, until=stamp(now),
            failures=total, accounts=len({r[0] for r in rows}),
            addresses=len({r[1] for r in rows}), most=[list(r) for r in rows[:5]],
        )  # fmt: skip
    db.execute("UPDATE login_failures SET unreported = 0 WHERE unreported > 0")


def window_due(db: sqlite_utils.Database, limits: Limits, now: datetime) -> bool:
    """Whether an audit window has ended and awaits its summary (a read, no lock)."""
    row = db.execute("SELECT started FROM login_window WHERE id = 1").fetchone()
    return bool(row) and row[0] <= stamp(now - timedelta(seconds=limits.audit_window))


def close_window(db: sqlite_utils.Database, limits: Limits, now: datetime) -> None:
    """Write the summary of an ended window now (e.g. before the audit page lists entries)."""
    if window_due(db, limits, now):
        with immediate(db):
            roll_window(db, limits, now)


def record_success(db: sqlite_utils.Database, username: str, address: str, limits: Limits,
                   now: datetime) -> None:  # fmt: skip
    """Clear this account+address's counter (its failures stay for the window's summary)
    and remember the address as known for the account."""
    with immediate(db):
        db.execute(
            "UPDATE login_failures SET failures = 0, blocked_until = ''"
            " WHERE kind = 'pair' AND username = ? AND address = ?",
            [username, address],
        )
        db.execute(
            "INSERT OR REPLACE INTO login_known (username, address, at) VALUES (?, ?, ?)",
            [username, address, stamp(now)],
        )
        db.execute(
            "DELETE FROM login_known WHERE at < ?",
            [stamp(now - timedelta(days=limits.known_days))],
        )


def unlock(db: sqlite_utils.Database, username: str | None = None,
           address: str | None = None) -> int:  # fmt: skip
    """Clear the failure counters of an account (every address) and/or of an address;
    returns how many counters were cleared."""
    with immediate(db):
        cursor = db.execute(
            "UPDATE login_failures SET failures = 0, blocked_until = ''"
            " WHERE failures > 0 AND ((kind != 'address' AND username = ?)"
            " OR (kind != 'account' AND address = ?))",
            [username, address],
        )
        return cursor.rowcount


def account_states(db: sqlite_utils.Database, now: datetime) -> dict[str, dict[str, Any]]:
    """Per username with failures: recent failures from any address and the latest time
    until which any of its counters waits (None: not waiting)."""
    states: dict[str, dict[str, Any]] = {}
    for username, failures, until in db.execute(
        "SELECT username, sum(CASE WHEN kind = 'account' THEN failures ELSE 0 END),"
        " max(blocked_until) FROM login_failures WHERE kind != 'address'"
        " GROUP BY username HAVING sum(failures) > 0"
    ):
        states[username] = {"failures": failures, "until": until if until > stamp(now) else None}
    return states
