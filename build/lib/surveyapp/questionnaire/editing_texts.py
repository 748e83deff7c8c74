"""Texts in several languages in the builder's documents. A text may be a mapping of
language to text (see translations.py); the builder's forms show and edit the default
language's, and an edit keeps the other languages' translations."""

from __future__ import annotations

import copy
from typing import Any

# The keys whose values are texts a respondent reads.
TEXT_KEYS = frozenset(
    {"title", "introduction", "text", "help", "label", "constraint_message", "required_message",
     "organiser", "thanks"}
)  # fmt: skip


def default_language(doc: dict[str, Any]) -> str:
    """The document's default language, as the loader reads it."""
    languages = doc.get("languages")
    first = languages[0] if isinstance(languages, list) and languages else "en"
    given = doc.get("default_language", first)
    return given if isinstance(given, str) else "en"


def default_text(value: Any, lang: str) -> str:
    """A text in the default language, whether written plain or per language."""
    if isinstance(value, dict):
        value = value.get(lang, "")
    return "" if value is None else str(value)


def merged(old: Any, typed: str, lang: str) -> Any:
    """What to store when `typed` is the new default-language text of `old`: its other
    languages are kept; an emptied text goes with its translations."""
    typed = typed.strip()
    if not isinstance(old, dict) or not typed:
        return typed
    return {**old, lang: typed}


def shown(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of the document with every text in the default language, for the forms."""
    lang = default_language(doc)

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: default_text(v, lang) if k in TEXT_KEYS and isinstance(v, dict)
                    else walk(v) for k, v in value.items()}  # fmt: skip
        return value

    return walk(copy.deepcopy(doc))
