"""Languages between XLSForm and surveyapp. An XLSForm names a language in its column
headers (`label::Français (fr)`, `hint::...`, `constraint_message::...`,
`required_message::...`, and in the
settings sheet `surveyapp::title::...`) and its default
in the settings sheet's `default_language`; surveyapp by code (fr). Both directions build
the definition once per language and join the texts: the rows are the same in every
language, only their texts differ."""

from __future__ import annotations

import re
from typing import Any

from babel import Locale, UnknownLocaleError

from surveyapp.questionnaire.translations import LANGUAGE

# The columns that hold text in a language.
TRANSLATED_COLUMNS = ("label", "hint", "constraint_message", "required_message")
# Where the settings sheet keeps the title in another language (pyxform's form_title has
# none): `surveyapp::title::Français (fr)`.
TITLE = ("surveyapp", "title")
# The keys of a definition mapping that hold text in a language.
TEXT_KEYS = frozenset(
    {"introduction", "title", "text", "help", "label", "constraint_message", "required_message"}
)
CODE_IN_NAME = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\)\s*$")


def code_of(name: str) -> str | None:
    """The language code of an XLSForm language name: `Français (fr)` or `fr` -> fr."""
    found = CODE_IN_NAME.search(name)
    code = found[1] if found else name.strip()
    return code if LANGUAGE.fullmatch(code) else None


def column_name(code: str) -> str:
    """An XLSForm language name for a code, in that language: fr -> `Français (fr)`."""
    try:
        name = Locale.parse(code, sep="-").get_display_name(code.split("-")[0]) or code
    except (UnknownLocaleError, ValueError):
        return code
    return f"{name[:1].upper()}{name[1:]} ({code})"


def join_rows(rows: dict[str, list[dict[str, str]]], default: str) -> list[dict[str, str]]:
    """One sheet's rows from the same rows written in each language (`default` first): each
    text column becomes one `column::<language name>` column per language."""
    joined = []
    for index, row in enumerate(rows[default]):
        out: dict[str, str] = {}
        for key, value in row.items():
            if key not in TRANSLATED_COLUMNS:
                out[key] = value
                continue
            for code, written in rows.items():
                out[f"{key}::{column_name(code)}"] = written[index].get(key, "")
        joined.append(out)
    return joined


def join_texts(default: Any, other: Any, lang: str, default_lang: str) -> None:
    """Add the texts of `other` (the same definition mapping read in `lang`) to `default`
    in place: each text present in both becomes {default_lang: ..., lang: ...}. Parts
    whose shape differs are left alone."""
    if isinstance(default, list) and isinstance(other, list) and len(default) == len(other):
        for mine, theirs in zip(default, other, strict=True):
            join_texts(mine, theirs, lang, default_lang)
    if not (isinstance(default, dict) and isinstance(other, dict)):
        return
    for key, value in default.items():
        theirs = other.get(key)
        if key in TEXT_KEYS and isinstance(theirs, str):
            if theirs.strip() and isinstance(value, str | dict):
                texts = value if isinstance(value, dict) else {default_lang: value}
                default[key] = {**texts, lang: theirs}
        else:
            join_texts(value, theirs, lang, default_lang)
