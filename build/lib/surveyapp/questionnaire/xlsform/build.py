"""The pages, questions and choice lists of an XLSForm as the mapping a YAML definition
holds, remembering which spreadsheet row each part came from."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from pyxform import constants

from surveyapp.questionnaire.types import REGISTRY
from surveyapp.questionnaire.types.xlsform import MATRIX, face_for
from surveyapp.questionnaire.xlsform.choices import choice_flags
from surveyapp.questionnaire.xlsform.logic import (
    LOGIC_KEYS,
    OPTION_RULE,
    required_cell,
    rule_cells,
    shared_required,
)
from surveyapp.questionnaire.xlsform.rows import BEGIN, SKIP, Classifier, Entry
from surveyapp.questionnaire.xlsform.structure import (
    Matrix,
    Screen,
    build_tree,
    place_notes,
    screens,
)
from surveyapp.questionnaire.xlsform.workbook import Row, Workbook, as_code, boolean

# ODK's `or_other` choice, and the flag that gives it a "please specify" text box.
OTHER = {"code": "other", "label": "Other"}
# Keys a surveyapp:: column may not set: the standard columns say them.
RESERVED = {"id", "type", "text", "help", "required", "options", "scale", "items", "integer"}
# surveyapp:: columns of a page's group row.
PAGE_KEYS = ("group", "randomize", "anchor")
# surveyapp:: columns of a page's group row that hold logic (read with the row's rules).
LOGIC_PAGE_KEYS = ("screen_out",)
YES_NO = {"randomize", "anchor"}


@dataclass(frozen=True)
class Place:
    row: Row
    column: str  # the column meant when an error names the part itself


class Places:
    """Which row (and column) each definition path came from."""

    def __init__(self) -> None:
        self.by_path: dict[str, Place] = {}

    def add(self, path: str, row: Row, column: str = "type") -> None:
        self.by_path.setdefault(path, Place(row, column))

    def find(self, path: str) -> tuple[Place, str] | None:
        """The place of the longest known prefix of `path`, and the rest of the path."""
        best = ""
        for known in self.by_path:
            if len(known) > len(best) and (
                path == known or path.startswith((f"{known}.", f"{known}["))
            ):
                best = known
        return (self.by_path[best], path[len(best) :].lstrip(".")) if best else None


def bool_text(value: bool) -> str:
    return "true" if value else "false"


def truth_cell(key: str, value: str) -> str:
    """A yes/no cell of a surveyapp:: column that takes one, as the loader reads it; any
    other text as it is, for the loader to refuse."""
    truth = boolean(value.strip()) if key in YES_NO else None
    return value if truth is None else bool_text(truth)


class Builder:
    """Builds the definition mapping; problems go to the workbook's collector."""

    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self.problems = workbook.problems
        self.places = Places()
        self.lists: dict[str, list[tuple[Row, dict[str, str]]]] = {}
        self.scales: list[str] = []
        self.mirrors: dict[str, str] = {}
        self.names: dict[str, str] = {}  # a row's name (as written and as a code) -> field

    def read_choices(self) -> None:
        for row in self.workbook.choices:
            list_name, name = row.plain("list name").strip(), row.plain("name").strip()
            label = self.workbook.text(row, "label")
            if not (list_name or name or label):
                continue
            for column, value in (("list_name", list_name), ("name", name), ("label", label)):
                if not value:
                    self.problems.error(row.sheet, row.number, column, "missing")
            code = as_code(name)
            if code != name:
                message = (
                    f"{name!r} became {code!r}: surveyapp codes hold only letters, digits and _"
                )
                self.problems.warn(row.sheet, row.number, "name", message)
            option = {"code": code, "label": label}
            if row.plain(OPTION_RULE).strip():
                option["relevant"] = row.plain(OPTION_RULE).strip()
            if list_name and name:
                option |= choice_flags(row, self.problems)
                self.lists.setdefault(list_name, []).append((row, option))

    def pages(self) -> tuple[str, list[Screen]]:
        classifier = Classifier(self.workbook)
        entries = [e for e in map(classifier.entry, self.workbook.survey) if e and e.kind != SKIP]
        classifier.report_ignored()
        found = screens(build_tree(entries, self.problems), self.problems)
        introduction, pages = place_notes(found, self.problems)
        if not pages and not self.problems.errors:
            self.problems.error(constants.SURVEY, 1, "type", "the survey sheet holds no question")
        return introduction, pages

    def choose_scales(self, pages: list[Screen], marked: list[str]) -> dict[str, list]:
        """Lists used by several questions or by a matrix, or named in surveyapp::scales."""
        uses: Counter[str] = Counter()
        for page in pages:
            for item in page.items:
                if isinstance(item, Matrix):
                    uses[item.rows[0].list_name] += 2
                elif item.list_name and not item.or_other:
                    uses[item.list_name] += 1
        self.scales = [name for name in self.lists if uses[name] > 1 or name in marked]
        return {name: self.options(name, f"scales.{name}") for name in self.scales}

    def options(self, list_name: str, path: str) -> list[dict[str, str]]:
        entries = self.lists.get(list_name, [])
        if entries:
            self.places.add(path, entries[0][0], "list_name")
        for index, (row, _) in enumerate(entries):
            self.places.add(f"{path}[{index}]", row, "name")
        return [dict(option) for _, option in entries]

    def name(self, entry: Entry, field_name: str) -> None:
        self.names[entry.row.plain("name").strip()] = self.names[entry.name] = field_name

    def page(self, screen: Screen, path: str) -> dict[str, Any]:
        self.places.add(path, screen.head.row, "label")
        rules = {}
        if screen.head.kind == BEGIN:
            rules = rule_cells(screen.head, ("relevant",), ("screen_out",))
        questions: list[dict[str, Any]] = []
        for item in screen.items:
            at = f"{path}.questions[{len(questions)}]"
            if isinstance(item, Matrix):
                questions.append(self.matrix(item, at))
                continue
            made = self.question(item, at)
            for offset in range(1, len(made)):
                self.places.add(f"{path}.questions[{len(questions) + offset}]", item.row)
            questions.extend(made)
        page = {"title": screen.title, **rules, **self.page_keys(screen, path)}
        return {**page, "questions": questions}

    def page_keys(self, screen: Screen, path: str) -> dict[str, str]:
        """surveyapp::group, randomize and anchor on a page's group row."""
        head = screen.head
        own = [i for i in screen.items if isinstance(i, Matrix) and i.head is head]
        if head.kind != BEGIN or own:
            return {}
        found = {}
        for key, value in head.custom.items():
            if key in LOGIC_PAGE_KEYS:
                continue
            if key in PAGE_KEYS:
                found[key] = truth_cell(key, value)
                self.places.add(f"{path}.{key}", head.row, f"surveyapp::{key}")
            else:
                message = f"not for a page (a page takes {', '.join(PAGE_KEYS)})"
                self.problems.error(head.row.sheet, head.number, f"surveyapp::{key}", message)
        return found

    def question(self, entry: Entry, path: str) -> list[dict[str, Any]]:
        face = face_for(entry.xls_type, entry.appearances)
        if face is None:
            self.problems.error(
                entry.row.sheet, entry.number, "type", "surveyapp has no such question"
            )
            return []
        self.places.add(path, entry.row)
        self.name(entry, entry.name)
        question: dict[str, Any] = {"id": entry.name, "type": face.type_name}
        if entry.label or not REGISTRY[face.type_name].computed:
            question["text"] = entry.label
        if entry.hint:
            question["help"] = entry.hint
        if face.setting and face.setting[1]:
            question[face.setting[0]] = bool_text(face.setting[1])
        if entry.required != REGISTRY[face.type_name].default_required:
            question["required"] = required_cell(entry.required)
        question.update(rule_cells(entry, LOGIC_KEYS))
        if entry.list_name:
            self.choices(question, entry, path)
        question.update(self.custom(entry, entry.name))
        return [question]

    def choices(self, question: dict[str, Any], entry: Entry, path: str) -> None:
        if entry.list_name not in self.lists:
            self.problems.error(
                entry.row.sheet,
                entry.number,
                "type",
                f"list {entry.list_name!r} is not in the choices sheet",
            )
        elif entry.or_other:  # ODK adds an "other" choice with a text box shown when chosen
            options = self.options(entry.list_name, f"{path}.options")
            if not any(o["code"] == OTHER["code"] for o in options):
                options.append(dict(OTHER, label="" if self.workbook.strict else "Other"))
            for option in options:
                if option["code"] == OTHER["code"]:
                    option["other"] = "true"
            question["options"] = options
        elif entry.list_name in self.scales:
            question["scale"] = entry.list_name
        else:
            question["options"] = self.options(entry.list_name, f"{path}.options")

    def custom(self, entry: Entry, field_name: str) -> dict[str, str]:
        """surveyapp::<key> columns as keys; the loader checks them for the type."""
        found = {}
        for key, value in entry.custom.items():
            if key == "mirror":
                self.mirrors[field_name] = value
                self.places.add(f"mirrors.{field_name}", entry.row, "surveyapp::mirror")
            elif key in RESERVED:
                self.problems.error(
                    entry.row.sheet, entry.number, f"surveyapp::{key}", "use the standard column"
                )
            else:
                found[key] = truth_cell(key, value)
        return found

    def matrix(self, matrix: Matrix, path: str) -> dict[str, Any]:
        head, rows = matrix.head, matrix.rows
        self.places.add(path, head.row)
        for column, value in (("name", head.name), ("label", head.label)):
            if not value:
                self.problems.error(
                    head.row.sheet, head.number, column, "missing (a matrix needs it)"
                )
        required = shared_required(rows, self.problems)
        question: dict[str, Any] = {"id": head.name, "type": MATRIX, "text": head.label}
        if head.hint:
            question["help"] = head.hint
        if required != REGISTRY[MATRIX].default_required:
            question["required"] = required_cell(required)
        question.update(rule_cells(head, ("relevant",), ("screen_out",)))
        question.update(
            rule_cells(rows[0], ("constraint", "constraint_message", "required_message"))
        )
        question["scale"] = rows[0].list_name
        question.update(self.custom(head, head.name))
        question["items"] = [
            self.item(row, head.name, f"{path}.items[{i}]") for i, row in enumerate(rows)
        ]
        return question

    def item(self, row: Entry, matrix: str, path: str) -> dict[str, str]:
        self.places.add(path, row.row, "name")
        self.name(row, f"{matrix}-{row.name}")
        if row.hint:
            self.problems.warn(
                row.row.sheet, row.number, "hint", "not shown: matrix rows have no help"
            )
        item = {"code": row.name, "label": row.label}
        for key, value in self.custom(row, f"{matrix}-{row.name}").items():
            if key == "anchor":  # the item keeps its place when the items are shuffled
                item[key] = truth_cell(key, value)
                continue
            self.problems.error(
                row.row.sheet, row.number, f"surveyapp::{key}", "not for a matrix row"
            )
        return {**item, **rule_cells(row, ("relevant",))}
