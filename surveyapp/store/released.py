"""Which responses a role that may not read raw responses (a viewer) sees figures of.

An edition's responses are released in storage order (row id), in whole blocks, and only
those stored before today (UTC): the released set is the first `block * k` responses of
the edition in row-id order, among those ahead of the first one submitted today. Row ids
only grow (store.removal keeps them growing) and only an admin removes a response (which
moves the released set by it: test responses are best excluded before they are
released), so otherwise every released set contains every earlier
one and two of them differ by whole blocks: no difference of two views rests on fewer
than `block` responses, whenever they were read. Imports get new, higher row ids too, so
even an import of past responses joins at the end instead of slipping into a block
already shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlite_utils

_RECENT = 2000  # rows of the table looked at before turning to the edition's index


@dataclass(frozen=True)
class Released:
    cut: int  # the largest released row id; the edition's rows up to it are released
    count: int  # how many: a multiple of the block (0 when fewer than a block are ready)
    day: str | None  # the day (YYYY-MM-DD) the newest released response was submitted
    total: int  # the edition's responses, released or not (what the cache is keyed on)


def edition_total(db: sqlite_utils.Database, survey: str, edition: int) -> int:
    """The edition's responses, from its counter (one lookup)."""
    row = db.execute(
        "SELECT count FROM counters WHERE survey = ? AND edition = ? AND field = '*'"
        " AND value = '*'",
        [survey, edition],
    ).fetchone()
    return row[0] if row else 0


def released(
    db: sqlite_utils.Database, survey: str, edition: int, today: str, block: int
) -> Released:
    """The released set of one edition; `today` is today's midnight as a stored time."""
    total = edition_total(db, survey, edition)
    first_today = db.execute(
        "SELECT min(id) FROM responses WHERE survey = ? AND edition = ? AND submitted_at >= ?",
        [survey, edition, today],
    ).fetchone()[0]
    eligible, below = total, None
    if first_today is not None:
        # Survey and edition as expressions keep SQLite on the row-id range: only rows
        # stored since first_today.
        later = db.execute(
            "SELECT count(*) FROM responses WHERE id >= ? AND survey || '' = ? AND edition + 0 = ?",
            [first_today, survey, edition],
        ).fetchone()[0]
        eligible, below = total - later, first_today
    count = eligible - eligible % block
    if count <= 0:
        return Released(0, 0, None, total)
    if below is None:  # past every row id (an integer each engine's id column holds)
        below = db.execute("SELECT coalesce(max(id), 0) + 1 FROM responses").fetchone()[0]
    row = _newest(db, survey, edition, below, eligible - count)
    return Released(row[0], count, row[1][:10], total)


def _newest(
    db: sqlite_utils.Database, survey: str, edition: int, below: int, skip: int
) -> tuple[int, str]:
    """(id, submitted_at) of the edition's row `skip` places below the newest under `below`:
    first among the newest rows of the table (an edition still collecting), else through
    the edition's index (an older edition, whose rows lie further back)."""
    params = [below, _RECENT, survey, edition, skip]
    row = db.execute(
        "SELECT id, submitted_at FROM (SELECT id, survey, edition, submitted_at FROM responses"
        " WHERE id < ? ORDER BY id DESC LIMIT ?) AS recent WHERE survey = ? AND edition = ?"
        " ORDER BY id DESC LIMIT 1 OFFSET ?",
        params,
    ).fetchone()
    if row is None:
        row = db.execute(
            "SELECT id, submitted_at FROM responses WHERE id < ? AND survey = ? AND edition = ?"
            " ORDER BY id DESC LIMIT 1 OFFSET ?",
            [below, survey, edition, skip],
        ).fetchone()
    return row


def answers(
    db: sqlite_utils.Database, survey: str, edition: int, release: Released, withheld: bool
) -> Iterator[str]:
    """The answers (JSON text) of the edition's withheld responses (row id above the cut)
    or of its released ones."""
    if withheld:
        # Row-id order from the cut: the scan stops once every withheld row is found
        # (survey and edition are expressions so that no index of theirs is used).
        sql = (
            "SELECT answers FROM responses WHERE id > ? AND survey || '' = ? AND edition + 0 = ?"
            " ORDER BY id LIMIT ?"
        )
        params = [release.cut, survey, edition, release.total - release.count]
    else:
        sql = "SELECT answers FROM responses WHERE survey = ? AND edition = ? AND id <= ?"
        params = [survey, edition, release.cut]
    cursor = db.execute(sql, params)
    try:
        while rows := cursor.fetchmany(1000):
            yield from (text for (text,) in rows)
    finally:
        cursor.close()


def counters(db: sqlite_utils.Database, survey: str, edition: int) -> dict[tuple[str, str], int]:
    """{(field, value): count} as the counters table holds them for one edition."""
    rows = db.execute(
        "SELECT field, value, count FROM counters WHERE survey = ? AND edition = ?",
        [survey, edition],
    )
    return {(field, value): count for field, value, count in rows}


def database_key(db: sqlite_utils.Database) -> str:
    """The file behind a connection: what a per-process cache of figures is keyed on."""
    return db.execute("PRAGMA database_list").fetchone()[2]
