"""Checking a draft: the file loader's own checks, each problem kept with its key path
(`pages[1].questions[0].scale`, the form field it concerns) and the line of the text it
stands on. The messages are the loader's, word for word."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from surveyapp.questionnaire import yamltext
from surveyapp.questionnaire.editing import Document, structure_problem
from surveyapp.questionnaire.editing_forms import Where, tidy
from surveyapp.questionnaire.loader import DefinitionError, parse_definition
from surveyapp.questionnaire.model import Definition

FILENAME = "draft.yaml"


@dataclass(frozen=True)
class Problem:
    path: str  # the loader's key path; "" for the text as a whole
    message: str
    line: int | None = None


@dataclass(frozen=True)
class Checked:
    definition: Definition | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def at(self, path: str) -> list[str]:
        """The messages about exactly this key path."""
        return [p.message for p in self.problems if p.path == path]

    def under(self, prefix: str) -> list[Problem]:
        """The problems at this path or inside it."""
        return [p for p in self.problems if p.path == prefix
                or p.path.startswith((f"{prefix}.", f"{prefix}["))]  # fmt: skip

    def by_path(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for problem in self.problems:
            found.setdefault(problem.path, []).append(problem.message)
        return found


def text_of(doc: Document) -> str:
    """A document as YAML text."""
    return yamltext.dump(tidy(doc))


def check(doc: Document) -> Checked:
    return check_text(text_of(doc))


def check_text(text: str, survey_id: str = "") -> Checked:
    """Load the text as the file loader would; every problem with its path and line.
    With `survey_id`, the text must keep that id (a draft belongs to its questionnaire)."""
    try:
        raw = yamltext.load(text)
    except yaml.YAMLError as exc:
        return Checked(None, [Problem("", f"not valid YAML: {exc}", yamltext.yaml_error_line(exc))])
    problems = []
    if survey_id and isinstance(raw, dict) and raw.get("id") != survey_id:
        message = f"must stay {survey_id!r}: this draft belongs to that questionnaire"
        problems.append(Problem("id", message, yamltext.line_of(text, "id") or 1))
    try:
        definition = parse_definition(text, FILENAME)
    except DefinitionError as exc:
        problems.extend(_problem(error, text) for error in exc.errors)
        return Checked(None, problems)
    return Checked(None if problems else definition, problems)


def _problem(error: str, text: str) -> Problem:
    rest = error.removeprefix(f"{FILENAME}: ")
    path, sep, message = rest.partition(": ")
    if not sep:  # a message about the whole text
        return Problem("", rest, 1)
    return Problem(path, message, yamltext.line_of(text, path) or 1)


def document_of(text: str) -> tuple[Document | None, str]:
    """(the raw document of a text, "") or (None, why the forms cannot edit it)."""
    try:
        doc = yamltext.load(text)
    except yaml.YAMLError as exc:
        line = yamltext.yaml_error_line(exc)
        return None, f"The YAML text has an error{f' on line {line}' if line else ''}."
    problem = structure_problem(doc)
    return (None, problem) if problem else (doc, "")


QUESTION_PATH = re.compile(r"pages\[([0-9]+)\]\.questions\[([0-9]+)\]\.?(.*)")
PAGE_PATH = re.compile(r"pages\[([0-9]+)\]")
SETTINGS_KEYS = ("id", "title", "audience", "edition", "introduction", "access", "anonymous")


def field_name(path: str) -> str:
    """The form field of a key path inside a question or scale: options[2].code ->
    options-2-code."""
    return re.sub(r"\[([0-9]+)\]\.?", r"-\1-", path).strip("-")


def problem_where(doc: Document, path: str) -> Where:
    """The builder view (and field) where a problem at a loader key path is fixed."""
    found = QUESTION_PATH.match(path)
    if found:
        p, q, rest = int(found[1]), int(found[2]), found[3]
        return Where("question", p, q, anchor=f"f-{field_name(rest)}" if rest else "problems")
    found = PAGE_PATH.match(path)
    if found:
        return Where("outline", anchor=f"page-{found[1]}")
    scales = doc.get("scales") if isinstance(doc.get("scales"), dict) else {}
    names = [n for n in scales if path == f"scales.{n}" or path.startswith(f"scales.{n}")]
    if names:
        name = max(names, key=len)
        rest = path[len(f"scales.{name}") :]
        anchor = f"f-{field_name('options' + rest)}" if rest else "f-name"
        return Where("scale", name=name, anchor=anchor)
    if path in SETTINGS_KEYS:
        return Where("settings", anchor=f"f-{path}")
    if path.startswith("branding"):
        return Where("settings", anchor=f"f-{path.replace('.', '-')}")
    return Where("outline", anchor="pages" if path == "pages" else "problems")
