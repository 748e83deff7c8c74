"""The builder's branding fields applied to a definition document: the organiser, accent
colour (refused below WCAG AA contrast, with the ratio), thank-you text, onward address
and the uploaded logo's id (see branding.py for what the loader checks)."""

from __future__ import annotations

from collections.abc import Mapping

from surveyapp.questionnaire import editing as ed
from surveyapp.questionnaire.branding import TEXTS, accent_problem, redirect_problem
from surveyapp.questionnaire.editing_texts import default_language, merged

# form field -> key under `branding`
FIELDS = {"branding-organiser": "organiser", "branding-accent": "accent",
          "branding-thanks": "thanks",
          "branding-redirect_after_thanks": "redirect_after_thanks"}  # fmt: skip
CHECKS = {
    "branding-accent": ("Accent colour", accent_problem),
    "branding-redirect_after_thanks": ("Address after the thanks", redirect_problem),
}


def apply_branding(doc: ed.Document, form: Mapping[str, str]) -> None:
    """Write the posted branding fields; EditError at the field for an accent colour that
    is hard to read or an address that is not a web page's (nothing is changed then)."""
    if not any(name in form for name in FIELDS):
        return
    typed = {name: form[name].replace("\r\n", "\n").strip() for name in FIELDS if name in form}
    if typed.get("branding-accent"):
        typed["branding-accent"] = typed["branding-accent"].lower()
    for name, (label, problem) in CHECKS.items():
        message = problem(typed[name]) if typed.get(name) else ""
        if message:
            raise ed.EditError(name, f"{label}: {message}.")
    branding = _branding(doc)
    for name, value in typed.items():
        key = FIELDS[name]
        if key in TEXTS:  # the default language's text; the translations are kept
            value = merged(branding.get(key), value, default_language(doc))
        if value:
            branding[key] = value
        else:
            branding.pop(key, None)
    _store(doc, branding)


def set_logo(doc: ed.Document, logo: str) -> None:
    """Use the stored logo `logo` ("" removes the logo)."""
    branding = _branding(doc)
    if logo:
        branding["logo"] = logo
    else:
        branding.pop("logo", None)
    _store(doc, branding)


def _branding(doc: ed.Document) -> dict:
    current = doc.get("branding")
    return dict(current) if isinstance(current, dict) else {}


def _store(doc: ed.Document, branding: dict) -> None:
    if branding:
        doc["branding"] = branding
    else:
        doc.pop("branding", None)
