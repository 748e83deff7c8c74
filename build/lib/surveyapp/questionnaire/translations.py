"""A questionnaire in several languages.

A definition declares `languages` (codes such as en, fr, de, pt-BR) and `default_language`
(the first of `languages`, or en when neither is given). Every text a respondent reads may
be a plain string (the default language) or a mapping of language to text:

    title: {en: Working with clients, fr: Travailler avec vos clients}

The loaded Definition holds its default-language texts where it always has (so code that
knows nothing of languages reads them unchanged) and every language's in `texts`, keyed by
(loader key path, language): ("pages[0].questions[1].text", "fr"). `localized` gives the
definition with every text in one language, a missing translation falling back to the
default language's text; `missing_translations` lists those gaps.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import is_dataclass, replace
from typing import TYPE_CHECKING, Any

from surveyapp.questionnaire.model import Definition, Option, Question

if TYPE_CHECKING:
    from surveyapp.questionnaire.reader import Reader

LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
PIPE = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")
CACHE_SIZE = 256
Pick = Callable[[str, str], str]


def read_languages(raw: dict, reader: Reader) -> None:
    """Read `languages` and `default_language` into the reader (before any text is read)."""
    given = raw.get("languages")
    languages: list[str] = []
    if given is not None and not (isinstance(given, list) and given):
        reader.error("languages", "must be a non-empty list of language codes (en, fr, pt-BR)")
    for index, code in enumerate(given if isinstance(given, list) else []):
        if not isinstance(code, str) or not LANGUAGE.fullmatch(code):
            reader.error(f"languages[{index}]", f"{code!r} is not a language code (en, fr, pt-BR)")
        elif code in languages:
            reader.error(f"languages[{index}]", f"{code!r} is listed twice")
        else:
            languages.append(code)
    default = raw.get("default_language", languages[0] if languages else "en")
    if not isinstance(default, str) or not LANGUAGE.fullmatch(default):
        reader.error("default_language", f"{default!r} is not a language code (en, fr, pt-BR)")
        default = languages[0] if languages else "en"
    elif languages and default not in languages:
        reader.error("default_language", f"{default!r} is not one of the languages")
    reader.languages = tuple(languages) or (default,)
    reader.default_language = default


def check_translations(definition: Definition, error: Callable[[str, str], None]) -> None:
    """A translation may pipe (`${name}`) only what its default-language text pipes: the
    loader checks those references, not a translation's."""
    default = definition.default_language
    for (path, lang), text in definition.texts.items():
        known = set(PIPE.findall(definition.texts.get((path, default), "")))
        extra = sorted(set(PIPE.findall(text)) - known)
        if lang != default and extra:
            error(f"{path}.{lang}", f"pipes ${{{extra[0]}}}, which the {default} text does not")


_cache: dict[tuple[int, str], tuple[Definition, Definition]] = {}
_lock = threading.Lock()


def localized(definition: Definition, lang: str) -> Definition:
    """`definition` with every respondent-facing text (title, introduction, page titles,
    question texts, help, constraint messages, option, item and scale labels, and any
    other top-level text the definition translates) in `lang`; a text without a
    translation keeps the default language's. A language the definition does not declare
    gives the default language. The copy keeps `id`, `edition`, `version`, codes and
    rules; its `language` says which language it is in. It is built once per definition
    object and language and cached: the same object comes back on every later call, so
    calling this per request costs one dict look-up. Use it for what is shown; the
    catalogue's own object stays the one to compare (Catalog.is_current) and store."""
    lang = lang if lang in definition.languages else definition.default_language
    if lang == definition.language:
        return definition
    key = (id(definition), lang)
    found = _cache.get(key)
    if found is not None and found[0] is definition:
        return found[1]
    made = replace(_rebuild(definition, _picker(definition, lang)), language=lang)
    with _lock:
        found = _cache.setdefault(key, (definition, made))  # holding it keeps its id unique
        while len(_cache) > CACHE_SIZE:  # the oldest go first
            _cache.pop(next(iter(_cache)))
    return found[1] if found[0] is definition else made


def only_translations(definition: Definition, lang: str) -> Definition:
    """`definition` with every text in `lang` and "" where it has no translation (what an
    export writes in that language's columns); not cached."""
    texts = definition.texts

    def pick(path: str, text: str) -> str:
        return texts.get((path, lang), "") if text else ""

    return replace(_rebuild(definition, pick), language=lang)


def missing_translations(definition: Definition) -> list[tuple[str, str]]:
    """(loader key path, language) of every text that has no translation in a declared
    language other than the default, in the languages' order, then definition order."""
    missing: dict[tuple[str, str], None] = {}
    for lang in definition.languages:
        if lang == definition.default_language:
            continue

        def note(path: str, text: str, lang: str = lang) -> str:
            if text and (path, lang) not in definition.texts:
                missing[(path, lang)] = None
            return text

        _rebuild(definition, note)
    return list(missing)


def missing_messages(definition: Definition) -> list[str]:
    """Every missing translation as `file: key path: message`, for check-definitions."""
    default = definition.default_language
    return [f"{definition.source}: {path}: no {lang} translation (the {default} text is shown)"
            for path, lang in missing_translations(definition)]  # fmt: skip


def texts_by_path(definition: Definition) -> dict[str, dict[str, str]]:
    """Every text as {loader key path: {language: text}}."""
    found: dict[str, dict[str, str]] = {}
    for (path, lang), text in definition.texts.items():
        found.setdefault(path, {})[lang] = text
    return found


def best_language(definition: Definition, wanted: Iterable[str]) -> str:
    """The first of `wanted` (codes in order of preference) the definition has, matching
    `fr-CA` to `fr` when only that is declared; else the default language."""
    for code in wanted:
        for candidate in (code, code.split("-")[0]):
            if candidate in definition.languages:
                return candidate
    return definition.default_language


def _picker(definition: Definition, lang: str) -> Pick:
    texts, default = definition.texts, definition.default_language

    def pick(path: str, text: str) -> str:
        return texts.get((path, lang)) or texts.get((path, default)) or text

    return pick


def _rebuild(definition: Definition, pick: Pick) -> Definition:
    scales = {name: _options(options, f"scales.{name}", pick)
              for name, options in definition.scales.items()}  # fmt: skip
    pages = tuple(
        replace(page, title=pick(f"pages[{p}].title", page.title),
                questions=tuple(_question(q, f"pages[{p}].questions[{n}]", scales, pick)
                                for n, q in enumerate(page.questions)))
        for p, page in enumerate(definition.pages)
    )  # fmt: skip
    top = {key: pick(key, getattr(definition, key)) for key in _top_texts(definition)}
    return replace(definition, pages=pages, scales=scales, **top, **_held(definition, pick))


def _top_texts(definition: Definition) -> list[str]:
    """The definition's own texts: title, introduction and any other it translates."""
    paths = {path for path, _ in definition.texts if not re.search(r"[.\[]", path)} | {"title"}
    return sorted(p for p in paths if isinstance(getattr(definition, p, None), str))


def _held(definition: Definition, pick: Pick) -> dict[str, Any]:
    """Texts of a part the definition holds as a dataclass (`branding.thanks`): each part
    with its texts picked."""
    found: dict[str, Any] = {}
    for path in dict.fromkeys(path for path, _ in definition.texts):
        name, _, key = path.partition(".")
        part = found.get(name, getattr(definition, name, None))
        if (
            is_dataclass(part)
            and not isinstance(part, type)
            and isinstance(getattr(part, key, None), str)
        ):
            found[name] = replace(part, **{key: pick(path, getattr(part, key))})
    return found


def _question(q: Question, at: str, scales: dict[str, tuple[Option, ...]], pick: Pick) -> Question:
    if q.scale and q.scale in scales:
        options = scales[q.scale]
    else:
        options = _options(q.options, f"{at}.options", pick)
    return replace(
        q,
        text=pick(f"{at}.text", q.text),
        help=pick(f"{at}.help", q.help),
        constraint_message=pick(f"{at}.constraint_message", q.constraint_message),
        required_message=pick(f"{at}.required_message", q.required_message),
        options=options,
        items=_options(q.items, f"{at}.items", pick),
    )


def _options(options: tuple[Option, ...], at: str, pick: Pick) -> tuple[Option, ...]:
    return tuple(replace(o, label=pick(f"{at}[{i}].label", o.label)) for i, o in enumerate(options))
