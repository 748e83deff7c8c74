"""The parsed form of a questionnaire definition: plain, immutable data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from surveyapp.questionnaire.expressions import Expr


@dataclass(frozen=True)
class Rule:
    """One expression of the questionnaire logic: its text as written (what the browser
    evaluates and an export writes) and its tree, parsed once when the definition loads."""

    text: str
    tree: Expr = field(compare=False, repr=False)


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    relevant: Rule | None = None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    help: str = ""
    required: bool = True
    options: tuple[Option, ...] = ()
    items: tuple[Option, ...] = ()
    scale: str = ""
    settings: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # Logic (surveyapp.questionnaire.logic): when it is shown, when an answer is required
    # (besides `required`), what an answer must satisfy, which options it offers, what it
    # computes (a computed type) and whether its answer ends the questionnaire.
    relevant: Rule | None = None
    required_if: Rule | None = None
    constraint: Rule | None = None
    constraint_message: str = ""
    choice_filter: Rule | None = None
    calculation: Rule | None = None
    screen_out: Rule | None = None

    def label_of(self, code: str) -> str:
        for option in self.options:
            if option.code == code:
                return option.label
        return code


@dataclass(frozen=True)
class Page:
    title: str
    questions: tuple[Question, ...]
    relevant: Rule | None = None
    screen_out: Rule | None = None


@dataclass(frozen=True)
class Definition:
    id: str
    title: str
    audience: str
    edition: int
    introduction: str
    pages: tuple[Page, ...]
    version: str
    source: str
    text: str = field(repr=False, default="")
    scales: dict[str, tuple[Option, ...]] = field(default_factory=dict, compare=False)
    mirrors: dict[str, str] = field(default_factory=dict, compare=False)
    access: str = "open"
    anonymous: bool = True

    def questions(self) -> Iterator[Question]:
        for page in self.pages:
            yield from page.questions

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)
