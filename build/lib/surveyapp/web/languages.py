"""Which language a page is shown in, and the interface strings' catalogues (Flask-Babel).

A respondent's language is, first found: `?lang=` (then kept in the session, as is the
picker's choice, which is the same link), the session, the language of their draft, the
best match of Accept-Language, the questionnaire's default. It is one of the
questionnaire's languages; the interface strings are shown in it when a catalogue ships
for it (surveyapp/translations), else in English. Pages without a questionnaire (the
list, errors) offer the shipped catalogues' languages. Admin pages are in English.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Flask, g, request, session
from flask_babel import Babel, refresh
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.translations import localized

CATALOGUES = Path(__file__).resolve().parent.parent / "translations"
SOURCE = "en"
# The languages whose interface catalogues ship (surveyapp/translations).
SHIPPED = ("en", "fr", "de", "es", "ja", "zh", "ar")
RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur"})
SESSION = "language"
ADMIN_SESSION = "admin_language"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(CATALOGUES))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", SOURCE)
    Babel(app, locale_selector=interface_language)
    app.jinja_env.globals["autonym"] = autonym

    @app.context_processor
    def page_language() -> dict:
        shown = g.get("language") or interface_language()
        return {
            "html_lang": shown,
            "html_dir": direction(shown),
            "picker": g.picker if "picker" in g else _general_picker(),
        }


@cache
def autonym(language: str) -> str:
    """A language's name in itself ("Français"), as a picker lists it."""
    try:
        name = Locale.parse(language.replace("-", "_")).get_display_name(language) or language
    except (ValueError, UnknownLocaleError):
        return language
    return name[:1].upper() + name[1:]


def direction(language: str) -> str:
    return "rtl" if base(language) in RIGHT_TO_LEFT else "ltr"


def base(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def interface_language() -> str:
    """The catalogue the interface strings come from on this request."""
    if request.blueprint and request.blueprint.startswith(("admin", "api")):
        return SOURCE
    shown = g.get("language")
    if shown is None:
        shown = _chosen(list(SHIPPED), SOURCE)
    return base(shown) if base(shown) in SHIPPED else SOURCE


def _chosen(
    offered: list[str], default: str, draft: Callable[[], str | None] = lambda: None
) -> str:
    asked = request.args.get("lang", "")
    if asked in offered:
        session[SESSION] = asked
        return asked
    kept = session.get(SESSION)
    if kept in offered:
        return kept
    if (draft_language := draft()) in offered:
        session[SESSION] = draft_language  # the next pages (and posts) keep it
        return draft_language
    return _accepted(request.headers.get("Accept-Language", ""), tuple(offered)) or default


@lru_cache(maxsize=1024)  # browsers send few distinct headers: parsed once each
def _accepted(header: str, offered: tuple[str, ...]) -> str | None:
    """The browser's most preferred language offered, `fr-CA` taken as `fr` when only
    that is offered."""
    for wanted, _quality in parse_accept_header(header, LanguageAccept):  # preferred first
        for code in (wanted, base(wanted)):
            if code in offered:
                return code
    return None


def respondent_language(
    definition: Definition, draft: Callable[[], str | None] = lambda: None
) -> str:
    """Choose the language of this request's pages for `definition` (see the module);
    `draft()` gives the language of the respondent's draft, asked only when needed."""
    offered = list(definition.languages)
    language = _chosen(offered, definition.default_language, draft)
    if g.get("language", language) != language:
        refresh()  # a catalogue chosen for the language before follows the new one
    g.language = language
    g.picker = offered if len(offered) > 1 else []
    return language


def in_language(definition: Definition, language: str) -> Definition:
    """The definition's texts in `language` (built once per version and language)."""
    return localized(definition, language)


def shown(definition: Definition) -> Definition:
    """The definition in the language chosen for this request, chosen now if not yet."""
    if "language" not in g:
        respondent_language(definition)
    return in_language(definition, g.language)


def _general_picker() -> list[str]:
    if request.blueprint == "survey" or request.blueprint is None:
        return list(SHIPPED)
    return []


def admin_language(definition: Definition) -> str:
    """The language admin pages show a questionnaire's labels in: the admin's choice
    (`?lang=xx`, kept in the session) among its languages, else its default."""
    asked = request.args.get("lang", "")
    if asked in definition.languages:
        session[ADMIN_SESSION] = asked
        return asked
    kept = session.get(ADMIN_SESSION)
    return kept if kept in definition.languages else definition.default_language


def for_admin(definition: Definition | None) -> Definition | None:
    """`definition` with its labels in the admin's language; the page offers the choice
    (templates/admin/base.html) when the questionnaire has more than one."""
    if definition is None:
        return None
    chosen = admin_language(definition)
    if len(definition.languages) > 1:
        g.label_languages, g.label_language = list(definition.languages), chosen
    return localized(definition, chosen)


def admin_key() -> str:
    """What the admin's label language adds to a cache key of a page of figures."""
    return g.get("label_language", "")
