"""A questionnaire's own look: the organiser's name and logo, an accent colour readable on
white and under white text (WCAG AA), the thank-you text and where to go after it.

    branding:
      organiser: Northwind Research
      logo: 3f2a9c0d1e5b7a6c4d2e   # an uploaded logo's id (the builder sets it)
      accent: "#1f5fa8"
      thanks: Thank you! **Results** go out in June.
      redirect_after_thanks: https://northwind.example/
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # the reader's module needs the model, which holds a Branding
    from surveyapp.questionnaire.reader import Reader

KEYS = {"organiser", "logo", "accent", "thanks", "redirect_after_thanks"}
TEXTS = {"organiser", "thanks"}  # read in every language (see translations.py)
ACCENT = re.compile(r"#[0-9a-fA-F]{6}")
LOGO_ID = re.compile(r"[0-9a-f]{20}")
WHITE = "#ffffff"
MIN_CONTRAST = 4.5  # WCAG 2 AA, normal text
MAX_URL = 2000


@dataclass(frozen=True)
class Branding:
    organiser: str = ""
    logo: str = ""
    accent: str = ""
    thanks: str = ""
    redirect: str = ""


def luminance(colour: str) -> float:
    """The relative luminance of `#rrggbb` (WCAG 2)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ratio_text(ratio: float) -> str:
    """`2.1:1`; cut, not rounded, so a refused 4.499 never reads as 4.5."""
    cut = math.floor(ratio * 100) / 100
    return f"{cut:.2f}".rstrip("0").rstrip(".") + ":1"


def accent_problem(colour: str) -> str:
    """Why `colour` cannot be the accent (links on white, white text on buttons and the
    header); "" when it can."""
    if not ACCENT.fullmatch(colour):
        return f"{colour!r} must be a colour written #rrggbb, e.g. #1f5fa8"
    ratio = contrast(colour, WHITE)
    if ratio < MIN_CONTRAST:
        return (
            f"contrast {ratio_text(ratio)} with white, needs at least {ratio_text(MIN_CONTRAST)}"
            " (WCAG AA): choose a darker colour"
        )
    return ""


def redirect_problem(url: str) -> str:
    """Why `url` cannot be where respondents go after the thank-you page; "" when it can."""
    if len(url) > MAX_URL or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return "must be one web address without spaces"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return "must be a web address such as https://example.org/"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an address starting with https:// or http://"
    if parts.username or parts.password:
        return "may not hold a user name or password"
    return ""


def read_branding(raw: object, reader: Reader) -> Branding:
    """The `branding` mapping read and checked; every problem at its key path."""
    if raw is None:
        return Branding()
    if not isinstance(raw, dict):
        reader.error("branding", "must be a mapping (organiser, logo, accent, thanks, ...)")
        return Branding()
    for extra in sorted(set(raw) - KEYS):
        reader.error(f"branding.{extra}", "unknown key")
    text = {key: (reader.text if key in TEXTS else reader.string)(raw, key, "branding", False)
            for key in KEYS}  # fmt: skip
    checks = (("logo", _logo_problem), ("accent", accent_problem),
              ("redirect_after_thanks", redirect_problem))  # fmt: skip
    for key, problem in checks:
        message = problem(text[key]) if text[key] else ""
        if message:
            reader.error(f"branding.{key}", message)
            text[key] = ""
    return Branding(text["organiser"], text["logo"], text["accent"].lower(), text["thanks"],
                    text["redirect_after_thanks"])  # fmt: skip


def _logo_problem(logo: str) -> str:
    if LOGO_ID.fullmatch(logo):
        return ""
    return f"{logo!r} is not a logo id: upload the logo in the builder's settings"
