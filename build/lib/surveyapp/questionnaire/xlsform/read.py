"""Import an XLSForm (.xlsx) as the YAML text of a surveyapp definition.

The workbook is read by pyxform's own parser, so every alias, spelling and case ODK
accepts is understood. The YAML then goes through the normal loader; any problem, the
loader's included, is reported as `FILE:sheet:row N: column: problem` (header = row 1)
and nothing is imported unless there is none. What cannot be honoured but harms nothing
(other languages, ignored columns, notes moved into help texts) comes back as warnings.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pyxform import constants

from surveyapp.questionnaire import yamltext
from surveyapp.questionnaire.loader import DefinitionError, parse_definition
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.xlsform.build import Builder, Places, bool_text
from surveyapp.questionnaire.xlsform.languages import TITLE, TRANSLATED_COLUMNS, join_texts
from surveyapp.questionnaire.xlsform.logic import translate
from surveyapp.questionnaire.xlsform.workbook import (
    Problems,
    Row,
    Workbook,
    boolean,
    read_workbook,
)

YEAR = re.compile(r"(19|20)[0-9]{2}")
NOT_CODE = re.compile(r"[^A-Za-z0-9_]+")
# surveyapp's own settings columns: `surveyapp::<key>`.
SETTINGS = ("audience", "access", "anonymous", "scales", "randomize_pages")
TOP_COLUMNS = {
    "id": "form_id",
    "title": "form_title",
    "edition": "version",
    **{key: f"surveyapp::{key}" for key in SETTINGS},
}
QUESTION_COLUMNS = {
    "id": "name",
    "text": "label",
    "help": "hint",
    "type": "type",
    "required": "required",
    "scale": "type",
    "options": "type",
    "items": "type",
    "integer": "type",
    "code": "name",
    "label": "label",
    "title": "label",
    "relevant": "relevant",
    "constraint": "constraint",
    "constraint_message": "constraint_message",
    "choice_filter": "choice_filter",
    "calculation": "calculation",
}


class XLSFormError(DefinitionError):
    """An XLSForm that cannot be imported; `errors` lists every problem."""


@dataclass(frozen=True)
class XLSFormImport:
    text: str  # the YAML definition
    definition: Definition
    warnings: list[str] = field(default_factory=list)


def read_xlsform(data: bytes, filename: str, edition: int | None = None) -> XLSFormImport:
    """Import an XLSForm; `edition` is used when the settings `version` is not a year
    (default: the current year). Raise XLSFormError listing every problem."""
    problems = Problems(filename)
    workbook = read_workbook(data, problems)
    if workbook is None:
        raise XLSFormError(problems.errors)
    builder = Builder(workbook)
    raw = _definition(builder, edition)
    _add_languages(raw, workbook, edition)
    text = to_yaml(raw, filename)
    try:
        definition = parse_definition(text, filename)
    except DefinitionError as exc:
        for error in exc.errors:
            _locate(error, builder.places, problems, workbook.others)
        raise XLSFormError(problems.errors) from None
    if problems.errors:
        raise XLSFormError(problems.errors)
    return XLSFormImport(text, definition, problems.warnings)


def xlsform_to_yaml(data: bytes, filename: str, edition: int | None = None) -> str:
    """The YAML text of an XLSForm (see read_xlsform)."""
    return read_xlsform(data, filename, edition).text


def _definition(builder: Builder, edition: int | None) -> dict[str, Any]:
    settings = builder.workbook.settings
    custom = _settings_custom(settings, builder)
    builder.read_choices()
    introduction, pages = builder.pages()
    for key, column in TOP_COLUMNS.items():
        builder.places.add(key, settings, column)
    builder.places.add("pages", Row(constants.SURVEY, 1, {}))
    raw: dict[str, Any] = {
        "id": _survey_id(settings, builder),
        "title": _title(builder.workbook),
        "audience": custom.get("audience", ""),
        "edition": _edition(settings, builder, edition),
    }
    if not builder.workbook.strict:
        raw["title"] = raw["title"] or raw["id"]
    if introduction:
        raw["introduction"] = introduction
    raw.update({key: custom[key] for key in ("access", "anonymous") if key in custom})
    marked = custom.get("scales", "").split()
    for name in marked:
        if name not in builder.lists:
            builder.problems.error(
                settings.sheet,
                settings.number,
                "surveyapp::scales",
                f"no list {name!r} in the choices sheet",
            )
    scales = builder.choose_scales(pages, marked)
    if scales:
        raw["scales"] = scales
    raw["pages"] = [builder.page(page, f"pages[{i}]") for i, page in enumerate(pages)]
    translate(raw, builder.names)
    if builder.mirrors:
        raw["mirrors"] = builder.mirrors
    if custom.get("randomize_pages", "").split():
        raw["randomize_pages"] = custom["randomize_pages"].split()
    return raw


def _title(workbook: Workbook) -> str:
    """The form's title; in another language than the default, surveyapp::title::<it>."""
    settings = workbook.settings
    if workbook.strict:
        return workbook.choose(settings, "::".join(TITLE), settings.nested(*TITLE) or None)
    return settings.plain(constants.TITLE).strip()


def _add_languages(raw: dict[str, Any], workbook: Workbook, edition: int | None) -> None:
    """The texts of every other language the workbook has, and `languages` after `edition`."""
    if not workbook.others:
        return
    for name, code in workbook.others.items():
        other = _definition(Builder(workbook.in_language(name)), edition)
        join_texts(raw, other, code, workbook.code)
    declared = {"languages": [workbook.code, *workbook.others.values()],
                "default_language": workbook.code}  # fmt: skip
    at = list(raw).index("edition") + 1
    items = list(raw.items())
    raw.clear()
    raw.update(items[:at] + list(declared.items()) + items[at:])


def _settings_custom(settings: Row, builder: Builder) -> dict[str, str]:
    custom = settings.custom()
    for key in sorted(set(custom) - set(SETTINGS)):
        builder.problems.error(
            settings.sheet,
            settings.number,
            f"surveyapp::{key}",
            f"unknown; surveyapp's settings columns are "
            f"{', '.join(f'surveyapp::{k}' for k in SETTINGS)}",
        )
    if boolean(custom.get("anonymous", "")) is not None:
        custom["anonymous"] = bool_text(bool(boolean(custom["anonymous"])))
    return custom


def _survey_id(settings: Row, builder: Builder) -> str:
    given = settings.plain(constants.ID_STRING).strip()
    source = given or PurePath(builder.problems.filename).stem
    column = "form_id" if given else "form_id (none: the file name)"
    survey_id = NOT_CODE.sub("_", source).strip("_")
    if not survey_id:
        builder.problems.error(
            settings.sheet,
            settings.number,
            column,
            f"{source!r} gives no id: write one of letters, digits and _",
        )
    elif survey_id != source:
        builder.problems.warn(
            settings.sheet, settings.number, column, f"{source!r} became the id {survey_id!r}"
        )
    return survey_id


def _edition(settings: Row, builder: Builder, edition: int | None) -> str:
    version = settings.plain("version").strip()
    if YEAR.fullmatch(version):
        return version
    chosen = edition or datetime.date.today().year
    if version:
        builder.problems.warn(
            settings.sheet,
            settings.number,
            "version",
            f"{version!r} is not a year: edition {chosen} was used",
        )
    return str(chosen)


def _locate(error: str, places: Places, problems: Problems, languages: dict[str, str]) -> None:
    """Report a loader error (`FILE: path: message`) at its row and column (a text's in
    another language: its column in that language, `languages` being {name: code}), unless
    that column already has an error (which the loader's may only echo)."""
    rest = error.removeprefix(f"{problems.filename}: ")
    path, _, message = rest.partition(": ")
    found = places.find(path)
    if found is None:
        problems.fail(f"{path}: {message}")
        return
    place, remainder = found
    key = re.split(r"[.\[]", remainder)[0]
    column = QUESTION_COLUMNS.get(key, f"surveyapp::{key}") if key else place.column
    names = {code: name for name, code in languages.items()}
    lang = remainder.rpartition(".")[2]
    if column in TRANSLATED_COLUMNS and lang in names:
        column = f"{column}::{names[lang]}"
    if not problems.has_error(place.row.sheet, place.row.number, column):
        problems.error(place.row.sheet, place.row.number, column, message)


def to_yaml(raw: dict[str, Any], filename: str) -> str:
    """The definition as YAML in the shipped files' style (options one per line)."""
    return yamltext.dump(raw, header=f"Imported from the XLSForm {filename}")
