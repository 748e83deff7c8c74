"""Scheduled opening and closing of editions: an optional `opens_at` and `closes_at` per
edition, compared with the time of each request, so an edition opens and closes by itself
without anything running in the background.

An edition is served when its status (store.editions) is open and the time is within its
schedule: from `opens_at` (none: at once) to before `closes_at` (none: until closed).
Times are stored as store.timestamps writes them (UTC), so they compare as text.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from surveyapp import store
from surveyapp.store.connection import upsert

SQL = """
CREATE TABLE edition_schedules (
    survey TEXT NOT NULL,
    edition INTEGER NOT NULL,
    opens_at TEXT,
    closes_at TEXT,
    PRIMARY KEY (survey, edition)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Schedule:
    opens_at: str | None = None
    closes_at: str | None = None

    def state(self, now: str) -> str:
        """'early' before opens_at, 'over' from closes_at, else 'within'."""
        if self.opens_at is not None and now < self.opens_at:
            return "early"
        if self.closes_at is not None and now >= self.closes_at:
            return "over"
        return "within"


NONE = Schedule()


def served_edition(
    statuses: dict[int, str], schedules: dict[int, Schedule], now: str
) -> int | None:
    """The latest edition whose status is open and whose schedule includes `now`."""
    serving = [e for e, status in statuses.items()
               if status == "open" and schedules.get(e, NONE).state(now) == "within"]  # fmt: skip
    return max(serving) if serving else None


def next_opening(
    statuses: dict[int, str], schedules: dict[int, Schedule], now: str
) -> tuple[int, str] | None:
    """(edition, opens_at) of the open edition that opens soonest after `now`, if any."""
    early = [e for e, status in statuses.items()
             if status == "open" and schedules.get(e, NONE).state(now) == "early"]  # fmt: skip
    waiting = sorted((schedules[e].opens_at, e) for e in early)
    return (waiting[0][1], waiting[0][0]) if waiting else None


def edition_states(
    db: sqlite_utils.Database, survey: str
) -> tuple[dict[int, str], dict[int, Schedule]]:
    """(statuses recorded, schedules set) of a survey's editions, in one query."""
    rows = db.execute(
        "SELECT edition, status, NULL, NULL FROM editions WHERE survey = :survey"
        " UNION ALL SELECT edition, NULL, opens_at, closes_at FROM edition_schedules"
        " WHERE survey = :survey",
        {"survey": survey},
    ).fetchall()
    recorded = {edition: status for edition, status, _o, _c in rows if status is not None}
    schedules = {edition: Schedule(opens, closes) for edition, status, opens, closes in rows
                 if status is None and (opens or closes)}  # fmt: skip
    return recorded, schedules


def schedules_of(db: sqlite_utils.Database, survey: str) -> dict[int, Schedule]:
    return edition_states(db, survey)[1]


def set_schedule(db: sqlite_utils.Database, survey: str, edition: int, schedule: Schedule) -> None:
    """Record (or, with neither time, remove) an edition's schedule. Callers check that it
    closes after it opens (web.admin.schedules)."""
    with store.immediate(db):
        if schedule == NONE:
            db.execute(
                "DELETE FROM edition_schedules WHERE survey = ? AND edition = ?", [survey, edition]
            )
        else:
            row = {"survey": survey, "edition": edition, "opens_at": schedule.opens_at,
                   "closes_at": schedule.closes_at}  # fmt: skip
            upsert(db, "edition_schedules", row, key=("survey", "edition"),
                   update=("opens_at", "closes_at"))  # fmt: skip
