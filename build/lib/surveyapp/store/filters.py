"""Which responses a tally, listing or export covers: edition and submitted-time range."""

from __future__ import annotations

from dataclasses import dataclass

from surveyapp.store import timestamps


class FilterError(ValueError):
    """A filter value that cannot be understood; the message says which and why."""


@dataclass(frozen=True)
class Filters:
    edition: int | None = None
    since: str | None = None  # inclusive, stored timestamp format
    until: str | None = None  # exclusive

    @property
    def timed(self) -> bool:
        return self.since is not None or self.until is not None

    def where(self, prefix: str = "") -> tuple[str, list]:
        """SQL conditions (joined with AND, each with a leading ' AND ') and parameters."""
        sql, params = "", []
        for column, op, value in (
            ("edition", "=", self.edition),
            ("submitted_at", ">=", self.since),
            ("submitted_at", "<", self.until),
        ):
            if value is not None:
                sql += f" AND {prefix}{column} {op} ?"
                params.append(value)
        return sql, params

    def query_args(self) -> dict[str, str]:
        """The filters as URL query arguments, to carry them into links."""
        args = {"edition": self.edition, "since": self.since, "until": self.until}
        return {k: str(v) for k, v in args.items() if v is not None}


NO_FILTERS = Filters()


def parse_time(text: str, name: str) -> str:
    """A date (YYYY-MM-DD, midnight UTC) or ISO 8601 time (naive = UTC) as a stored timestamp."""
    moment = timestamps.parse(text)
    if moment is None:
        raise FilterError(f"{name}: {text!r} is not a date or ISO 8601 time in range")
    return moment


def parse_filters(
    edition: str | None = None, since: str | None = None, until: str | None = None
) -> Filters:
    """Filters from text (query string or command line); empty values mean 'no filter'."""
    number = None
    if edition:
        try:
            number = int(edition)
        except ValueError:
            raise FilterError(f"edition: {edition!r} is not a number") from None
        if not -(10**9) < number < 10**9:  # SQLite integers stop at 2**63
            raise FilterError(f"edition: {edition!r} is out of range")
    return Filters(
        edition=number,
        since=parse_time(since, "since") if since else None,
        until=parse_time(until, "until") if until else None,
    )
