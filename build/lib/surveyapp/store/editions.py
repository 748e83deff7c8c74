"""Editions of a questionnaire: which one is open, opening and closing.

Rule when nothing is recorded: the latest edition is open, older ones are closed.
Opening one edition closes the others; `/s/<id>` serves the latest open one, within its
schedule if it has one (store.schedules). (A new edition's file is written by the
`new-edition` command, surveyapp/cli/editions.py.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from surveyapp import store
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.model import Definition
from surveyapp.store import webhooks
from surveyapp.store.connection import upsert
from surveyapp.store.definitions import bump_generation
from surveyapp.store.schedules import (
    NONE,
    Schedule,
    edition_states,
    next_opening,
    served_edition,
)

EDITION_STATUSES = ("open", "closed")


class EditionError(ValueError):
    """An edition that does not exist, or a new edition that would overwrite one."""


def effective_statuses(editions: Iterable[int], recorded: dict[int, str]) -> dict[int, str]:
    """Every defined edition's status: as recorded, else open for the latest only."""
    known = sorted(editions)
    latest = known[-1] if known else None
    return {e: recorded.get(e, "open" if e == latest else "closed") for e in known}


def open_edition(editions: Iterable[int], recorded: dict[int, str]) -> int | None:
    """The edition served to respondents: the latest open one, None when all are closed."""
    opened = [e for e, s in effective_statuses(editions, recorded).items() if s == "open"]
    return max(opened) if opened else None


def statuses(db: sqlite_utils.Database, catalog: Catalog, survey: str) -> dict[int, str]:
    return effective_statuses(catalog.get(survey, {}), edition_statuses(db, survey))


def open_definition(
    db: sqlite_utils.Database, catalog: Catalog, survey: str, now: str | None = None
) -> Definition | None:
    return serving(db, catalog, survey, now).definition


@dataclass(frozen=True)
class Serving:
    """What respondents get now: the edition served (None: none is) with its schedule, and
    when none is, the next scheduled opening (edition, opens_at), if any."""

    definition: Definition | None
    schedule: Schedule = NONE
    opening: tuple[int, str] | None = None


def serving(
    db: sqlite_utils.Database, catalog: Catalog, survey: str, now: str | None = None
) -> Serving:
    """The edition served at `now` (default: the time of the call): the latest edition
    whose status is open and whose schedule (store.schedules) includes `now`."""
    editions = catalog.get(survey, {})
    recorded, schedules = edition_states(db, survey)
    current = effective_statuses(editions, recorded)
    now = now or store.utcnow()
    edition = served_edition(current, schedules, now)
    if edition is None:
        return Serving(None, opening=next_opening(current, schedules, now))
    return Serving(editions[edition], schedules.get(edition, NONE))


def _check_known(catalog: Catalog, survey: str, edition: int) -> None:
    if survey not in catalog:
        raise EditionError(f"there is no questionnaire called {survey!r}")
    if edition not in catalog[survey]:
        known = ", ".join(str(e) for e in sorted(catalog[survey]))
        raise EditionError(f"{survey} has no edition {edition} (editions: {known})")


def open_only(db: sqlite_utils.Database, catalog: Catalog, survey: str, edition: int) -> list[int]:
    """Open one edition and close every other open one; return the editions closed."""
    _check_known(catalog, survey, edition)
    before = statuses(db, catalog, survey)
    closed = [e for e, status in before.items() if status == "open" and e != edition]
    for other in closed:
        set_edition_status(db, survey, other, "closed", was="open")
    set_edition_status(db, survey, edition, "open", was=before[edition])
    return closed


def close(db: sqlite_utils.Database, catalog: Catalog, survey: str, edition: int) -> None:
    _check_known(catalog, survey, edition)
    set_edition_status(db, survey, edition, "closed", was=statuses(db, catalog, survey)[edition])


WEBHOOK_EVENTS = {"open": "edition.opened", "closed": "edition.closed"}


def set_edition_status(
    db: sqlite_utils.Database, survey: str, edition: int, status: str, was: str | None = None
) -> None:
    """Record an edition's status. When it differs from `was`, the status in effect before
    (default: the one recorded; none recorded, e.g. a new edition, is no change), the
    edition.opened or edition.closed webhooks go into the outbox in the same transaction."""
    if status not in EDITION_STATUSES:
        raise ValueError(f"status must be one of {EDITION_STATUSES}, not {status!r}")
    now = store.utcnow()
    row = {"survey": survey, "edition": edition, "status": status, "changed_at": now}
    with store.immediate(db):
        if was is None:
            was = edition_statuses(db, survey).get(edition, status)
        upsert(db, "editions", row, key=("survey", "edition"), update=("status", "changed_at"))
        bump_generation(db)
        if status != was:
            data = {"survey": survey, "edition": edition, "status": status, "changed_at": now}
            webhooks.enqueue(db, WEBHOOK_EVENTS[status], survey, str(edition), json.dumps(data))


def edition_statuses(db: sqlite_utils.Database, survey: str) -> dict[int, str]:
    """The statuses recorded for a survey's editions (editions never set are absent)."""
    rows = db.execute("SELECT edition, status FROM editions WHERE survey = ?", [survey])
    return {edition: status for edition, status in rows.fetchall()}


def stored_versions(db: sqlite_utils.Database, survey: str) -> dict[int, str]:
    """Every edition with stored responses and the definition version its newest response
    answered (one indexed lookup per edition): editions known only from imported rows too."""
    rows = db.execute(
        "SELECT edition FROM counters WHERE survey = ? AND field = '*' AND value = '*'"
        " AND count > 0",
        [survey],
    ).fetchall()
    found = {}
    for (edition,) in rows:
        row = db.execute(
            "SELECT version FROM responses WHERE survey = ? AND edition = ?"
            " ORDER BY submitted_at DESC LIMIT 1",
            [survey, edition],
        ).fetchone()
        if row is not None:
            found[edition] = row[0]
    return found
