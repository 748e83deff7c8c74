"""The one format every stored time has: UTC, ISO 8601, microseconds, a trailing Z
(`2026-12-01T13:08:49.555053Z`), so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def utcnow() -> str:
    return stamp(datetime.now(UTC))


def ago(**delta: float) -> str:
    """The stored form of a moment before now, e.g. ago(days=1)."""
    return stamp(datetime.now(UTC) - timedelta(**delta))


def moment(text: str | None) -> datetime | None:
    """A stored time as a UTC datetime (None stays None)."""
    return None if text is None else datetime.fromisoformat(text)


def parse(text: str) -> str | None:
    """A date (midnight UTC) or ISO 8601 time (naive = UTC) in the stored form; None when
    it is not one or falls before year 1 once moved to UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return stamp(moment)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is before year 1 in UTC
        return None
