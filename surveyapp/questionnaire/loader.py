"""Load and validate questionnaire definitions (YAML) into immutable models.

Every error names the file and the path to the bad key, e.g.
``cmo.yaml: pages[1].questions[0].scale: unknown scale 'frequncy'``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from surveyapp.questionnaire import rules
from surveyapp.questionnaire.branding import read_branding
from surveyapp.questionnaire.catalog import Catalog
from surveyapp.questionnaire.model import Definition, Page, Question
from surveyapp.questionnaire.randomize import check_arrangement, page_keys, randomized_groups
from surveyapp.questionnaire.reader import Reader
from surveyapp.questionnaire.translations import check_translations, read_languages
from surveyapp.questionnaire.types import REGISTRY

TOP_KEYS = {"id", "title", "audience", "edition", "introduction", "scales", "pages", "mirrors",
            "access", "anonymous", "randomize_pages", "branding", "languages",
            "default_language"}  # fmt: skip
ACCESS = ("open", "invitation")
QUESTION_KEYS = {"id", "type", "text", "help", "required", "anchor"}
PAGE_KEYS = {"title", "questions", "group", "randomize", "anchor"}
FORM_NAMES = {"csrf_token", "submission_key", "definition_version", "action"}  # page form's own


class DefinitionError(Exception):
    """One or more problems in definition files; ``errors`` lists them."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class StringLoader(yaml.SafeLoader):
    """YAML loader that keeps every scalar a string: `no`, `on`, `010` stay as written."""


StringLoader.yaml_implicit_resolvers = {}


class _FastStringLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """StringLoader's reading through libyaml's parser where PyYAML has it: a dozen times
    faster on the shipped questionnaires (bench/yaml_read.py)."""


_FastStringLoader.yaml_implicit_resolvers = {}


def _libyaml_first(parse: Any, text: str) -> Any:
    """`parse(text, Loader=...)` (yaml.load or yaml.compose) through libyaml, or through the
    pure-Python parser when libyaml fails (a syntax error then carries the pure parser's
    message, which quotes the line; libyaml cannot encode a lone surrogate) or would read
    the text differently (a byte-order mark inside it)."""
    if "\ufeff" not in text:
        try:
            return parse(text, Loader=_FastStringLoader)
        except (yaml.YAMLError, UnicodeEncodeError):
            pass
    return parse(text, Loader=StringLoader)


def read_yaml(text: str) -> Any:
    """The raw data of a YAML text, every scalar a string; raises yaml.YAMLError. libyaml
    reads a few texts the pure parser refuses (a tab after a plain scalar)."""
    return _libyaml_first(yaml.load, text)


def compose_yaml(text: str) -> yaml.Node | None:
    """The YAML text's node tree (with the line of every node); raises yaml.YAMLError."""
    return _libyaml_first(yaml.compose, text)


def parse_definition(text: str, filename: str) -> Definition:
    """Parse and validate one definition's YAML text; raise DefinitionError on any problem."""
    raw = _mapping(text, filename)
    reader = Reader(filename)
    for extra in sorted(set(raw) - TOP_KEYS):
        reader.error(extra, "unknown key")
    read_languages(raw, reader)
    _read_scales(raw, reader)
    access, anonymous = _read_access(raw, reader)
    definition = Definition(
        id=reader.code(raw, "id", ""),
        title=reader.text(raw, "title", ""),
        audience=reader.string(raw, "audience", ""),
        edition=reader.integer(raw.get("edition"), "edition", minimum=1900),
        introduction=reader.text(raw, "introduction", "", required=False),
        pages=_read_pages(raw.get("pages"), reader),
        version=hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()[:12],
        source=filename,
        text=text,
        scales=reader.scales,
        mirrors=_read_mirrors(raw, reader),
        access=access,
        anonymous=anonymous,
        randomize_pages=randomized_groups(raw, reader),
        branding=read_branding(raw.get("branding"), reader),
        languages=reader.languages,
        default_language=reader.default_language,
        language=reader.default_language,
        texts=reader.texts,
    )
    check_translations(definition, reader.error)
    _check_mirrors(definition, reader)
    check_arrangement(definition, field_names(definition), reader.error)
    if not reader.errors:
        rules.check_logic(definition, reader)
    if not anonymous and "email" in field_names(definition):
        reader.error("anonymous", "false adds an 'email' export column: no field may be 'email'")
    if reader.errors:
        raise DefinitionError(reader.errors)
    return definition


def _mapping(text: str, filename: str) -> dict:
    try:
        raw = read_yaml(text)
    except yaml.YAMLError as exc:
        raise DefinitionError([f"{filename}: not valid YAML: {exc}"]) from None
    if not isinstance(raw, dict):
        raise DefinitionError([f"{filename}: the file must hold a mapping"])
    return raw


def _read_scales(raw: dict, reader: Reader) -> None:
    scales_raw = raw.get("scales") or {}
    if not isinstance(scales_raw, dict):
        reader.error("scales", "must be a mapping of name to options")
        scales_raw = {}
    for name, options in scales_raw.items():
        reader.scales[name] = reader.option_list(options, f"scales.{name}", relevant=False)


def _read_mirrors(raw: dict, reader: Reader) -> dict[str, str]:
    mirrors = raw.get("mirrors") or {}
    if not isinstance(mirrors, dict) or not all(isinstance(v, str) for v in mirrors.values()):
        reader.error("mirrors", "must map a field name to '<survey>:<field>'")
        return {}
    return dict(mirrors)


def _read_access(raw: dict, reader: Reader) -> tuple[str, bool]:
    access = reader.string(raw, "access", "", required=False) or "open"
    if access not in ACCESS:
        reader.error("access", f"must be one of {', '.join(ACCESS)}, not {access!r}")
    anonymous = reader.boolean(raw, "anonymous", "", default=True)
    if not anonymous and access != "invitation":
        reader.error("anonymous", "false needs access: invitation (answers are tied to emails)")
    return access, anonymous


def _read_pages(raw_pages: Any, reader: Reader) -> tuple[Page, ...]:
    pages, seen_ids = [], set()
    for at, raw_page in reader.mappings(
        raw_pages,
        "pages",
        PAGE_KEYS | rules.PAGE_KEYS,
        "title and questions",
        "must be a non-empty list",
    ):
        raw_questions = raw_page.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            reader.error(f"{at}.questions", "must be a non-empty list")
            raw_questions = []
        questions = []
        for q, raw_q in enumerate(raw_questions):
            question = _read_question(raw_q, f"{at}.questions[{q}]", reader)
            if question is None:
                continue
            if question.id in seen_ids:
                reader.error(f"{at}.questions[{q}].id", f"duplicate question id {question.id!r}")
            if question.id in FORM_NAMES:
                reader.error(f"{at}.questions[{q}].id", f"{question.id!r} is a name the form uses")
            seen_ids.add(question.id)
            questions.append(question)
        title, number = reader.text(raw_page, "title", at), len(pages) + 1
        logic = {key: reader.rule(raw_page, key, at) for key in ("relevant", "screen_out")}
        keys = page_keys(raw_page, at, reader)
        pages.append(Page(title, tuple(questions), number=number, **logic, **keys))
    return tuple(pages)


def _read_question(raw: Any, path: str, reader: Reader) -> Question | None:
    if not isinstance(raw, dict):
        reader.error(path, "must be a mapping")
        return None
    type_name = reader.string(raw, "type", path)
    qtype = REGISTRY.get(type_name)
    if qtype is None:
        if type_name:
            known = ", ".join(sorted(REGISTRY))
            reader.error(f"{path}.type", f"unknown question type {type_name!r} (one of {known})")
        return None
    allowed = rules.COMPUTED_KEYS if qtype.computed else QUESTION_KEYS | rules.QUESTION_KEYS
    shuffled = {"randomize"} if qtype.shuffles else set()
    for extra in sorted(set(raw) - allowed - qtype.keys - shuffled):
        reader.error(f"{path}.{extra}", f"unknown key for a {type_name} question")
    settings = qtype.parse(raw, path, reader)
    for key in ("randomize", "anchor"):
        if reader.boolean(raw, key, path, False) and (key != "randomize" or qtype.shuffles):
            settings[key] = True
    required, required_if = rules.read_required(reader, raw, path, qtype.default_required)
    return Question(
        id=reader.code(raw, "id", path),
        type=type_name,
        text=reader.text(raw, "text", path, required=not qtype.computed),
        help=reader.text(raw, "help", path, required=False),
        required=required,
        options=settings.pop("options", ()),
        items=settings.pop("items", ()),
        scale=raw.get("scale", "") if isinstance(raw.get("scale"), str) else "",
        settings=settings,
        required_if=required_if,
        calculation=settings.pop("calculation", None),
        **rules.question_rules(reader, raw, path),
    )


def _check_mirrors(definition: Definition, reader: Reader) -> None:
    fields = set(field_names(definition))
    for own, other in definition.mirrors.items():
        if own not in fields:
            reader.error(f"mirrors.{own}", f"no field {own!r} in this questionnaire")
        if not re.fullmatch(r"[A-Za-z0-9_]+:[A-Za-z0-9_-]+", other):
            reader.error(f"mirrors.{own}", f"{other!r} must look like '<survey>:<field>'")


def field_names(definition: Definition) -> list[str]:
    """Every HTML field / export column of a definition, in definition order."""
    return [n for q in definition.questions() for n in REGISTRY[q.type].field_names(q)]


def load_file(path: Path) -> Definition:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([f"{path.name}: cannot read: {exc}"]) from None
    return parse_definition(text, path.name)


def load_all(paths: Iterable[Path]) -> Catalog:
    """Load every file; raise one DefinitionError listing all problems in all files."""
    loaded: list[Definition] = []
    errors: list[str] = []
    origin: dict[tuple[str, int], str] = {}
    for path in paths:
        try:
            definition = load_file(path)
        except DefinitionError as exc:
            errors.extend(exc.errors)
            continue
        key = (definition.id, definition.edition)
        if key in origin:
            errors.append(
                f"{path.name}: id: {definition.id!r} edition {definition.edition} "
                f"is already defined in {origin[key]}"
            )
            continue
        origin[key] = path.name
        loaded.append(definition)
    if errors:
        raise DefinitionError(errors)
    return Catalog(loaded)


def definition_files(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.is_dir() for p in sorted(folder.glob("*.yaml"))]
