"""The parsed form of a questionnaire definition: plain, immutable data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from surveyapp.questionnaire.branding import Branding
from surveyapp.questionnaire.expressions import Expr


@dataclass(frozen=True)
class Rule:
    """One expression of the questionnaire logic: its text as written (what the browser
    evaluates and an export writes) and its tree, parsed once when the definition loads."""

    text: str
    tree: Expr = field(compare=False, repr=False)


@dataclass(frozen=True)
class Option:
    """A choice, matrix item or scale point. `other` adds a "please specify" text box,
    `exclusive` may not be picked with others, `anchor` keeps its place when the list is
    shown in random order, `na` (a matrix scale point) is left out of every base."""

    code: str
    label: str
    other: bool = False
    exclusive: bool = False
    anchor: bool = False
    na: bool = False
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
    required_message: str = ""  # instead of the general "Please answer this question."
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
    """A page; `number` is its place in the definition (1-based), whatever order a
    respondent sees the pages in. `randomize` shuffles its questions; pages sharing a
    `group` named in the definition's `randomize_pages` are shown in random order;
    `anchor` keeps a page (or, in settings, a question) in place."""

    title: str
    questions: tuple[Question, ...]
    relevant: Rule | None = None
    screen_out: Rule | None = None
    number: int = 0
    group: str = ""
    randomize: bool = False
    anchor: bool = False


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
    randomize_pages: tuple[str, ...] = ()
    branding: Branding = field(default_factory=Branding, compare=False)
    # Languages (surveyapp.questionnaire.translations): the texts above are in `language`
    # (the default language unless `localized`); `texts` holds every translatable text in
    # every language given, keyed by (loader key path, language code), e.g.
    # ("pages[0].questions[1].text", "fr").
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    language: str = "en"
    texts: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)

    def questions(self) -> Iterator[Question]:
        for page in self.pages:
            yield from page.questions

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)
