"""How the admin pages write times, numbers, shares and counted nouns: one format each.

Times are stored in UTC (`store/timestamps.py`); a page shows them in the admin's time
zone (ADMIN_TIMEZONE) as a `<time>` whose title gives the UTC moment. Numbers get thousands
separators, shares one decimal and a percent sign with no space ("71.4%")."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app
from markupsafe import Markup, escape

NONE = "–"
# Plurals that do not add an "s"; anything else adds one.
IRREGULAR = {"entry": "entries", "reply": "replies", "is": "are", "was": "were"}


def zone(name: str) -> ZoneInfo:
    """The named IANA zone; UTC for an unknown or empty name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def moment(value: str | datetime | None) -> datetime | None:
    """A stored time (or a date: midnight UTC) as an aware datetime; None if it is not one."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def human_time(value: str | datetime | None, where: ZoneInfo, seconds: bool = False) -> Markup:
    """`<time datetime="...Z" title="... UTC">1 Dec 2026, 14:08 CET</time>`; a dash for none;
    text that is not a time is shown as it is (escaped)."""
    return _time(value, where, "%b %Y, %H:%M:%S %Z" if seconds else "%b %Y, %H:%M %Z")


def human_date(value: str | datetime | None, where: ZoneInfo) -> Markup:
    """The day alone ("1 Dec 2026") in a `<time>` with the UTC moment as its title."""
    return _time(value, where, "%b %Y")


def _time(value: str | datetime | None, where: ZoneInfo, shape: str) -> Markup:
    when = moment(value)
    if when is None:
        return escape(value or NONE)
    utc, local = when.astimezone(UTC), when.astimezone(where)
    return Markup('<time datetime="{}" title="{} UTC">{} {}</time>').format(
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"), utc.strftime("%Y-%m-%d %H:%M:%S"), local.day,
        local.strftime(shape),
    )  # fmt: skip


def number(value: float | None, digits: int = 0) -> str:
    """1234567 -> "1,234,567"; digits after the point when asked; a dash for none."""
    if value is None:
        return NONE
    return f"{value:,.{digits}f}"


def percent(value: float | None, digits: int = 1) -> str:
    """71.43 -> "71.4%"; a dash for none."""
    if value is None:
        return NONE
    return f"{value:,.{digits}f}%"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """ "1 entry", "2 entries", "1,024 responses"."""
    if count == 1:
        return f"1 {singular}"
    return f"{number(count)} {many or IRREGULAR.get(singular, singular + 's')}"


def admin_zone() -> ZoneInfo:
    return zone(current_app.config.get("ADMIN_TIMEZONE", "UTC"))


def init_app(app: Flask) -> None:
    """Register the filters every template may use."""
    app.add_template_filter(lambda v, seconds=False: human_time(v, admin_zone(), seconds), "when")
    app.add_template_filter(lambda v: human_date(v, admin_zone()), "day")
    app.add_template_filter(number, "num")
    app.add_template_filter(percent, "pct")
    app.add_template_filter(plural, "plural")
