"""What every question type declares: the rest of the code asks the type, never its name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from surveyapp.questionnaire.model import Option, Question

if TYPE_CHECKING:
    from surveyapp.questionnaire.reader import Reader

Value = str | list[str] | None
Tally = Literal["choice", "matrix", "ranks", "none"]
Layout = Literal["bars", "shares", "matrix", "ranks", ""]
Shuffles = Literal["options", "items", ""]
Chart = Literal["bars", "likert", "histogram", "texts", ""]
Checked = Iterator[tuple[str, Value, str]]
REQUIRED_MESSAGE = "Please answer this question."
FLAGS = ("other", "exclusive", "anchor", "na")


def check_flags(
    reader: Reader, raw: dict, path: str, options: Any, allowed: set[str], key: str = "options"
) -> None:
    """An option flag (other, exclusive, anchor, na) this question type does not honour is
    an error: at the option (in the list `key`), or at `scale` when the options come from
    a shared scale."""
    for index, option in enumerate(options):
        for flag in FLAGS:
            if not getattr(option, flag) or flag in allowed:
                continue
            if "scale" in raw:
                reader.error(f"{path}.scale", f"option {option.code!r} of the scale is marked "
                             f"{flag}, which this question type does not take")  # fmt: skip
            else:
                reader.error(f"{path}.{key}[{index}].{flag}", "not for this question type")


def _single(raw: list[str]) -> str:
    return raw[0].strip() if raw else ""


def one_answer(q: Question, raw: list[str]) -> tuple[str | None, str]:
    """(the one typed answer, "") or (None, why not: several given, or required and empty;
    "" when an optional question was left empty)."""
    if len(raw) > 1:
        return None, "Please give one answer."
    value = _single(raw)
    if not value:
        return None, (REQUIRED_MESSAGE if q.required else "")
    return value, ""


@dataclass(frozen=True)
class Series:
    """One trend line: among a field's respondents, the share picking a `top` code
    (top box) and a `top2` code (top-2 box)."""

    question: str
    item: str
    field: str
    top: frozenset[str]
    top2: frozenset[str]
    # Codes left out of the base (not applicable), counted apart.
    excluded: frozenset[str] = frozenset()


class QuestionType:
    """Base: a question with one field named after the question id, neither tallied nor
    trended; its answers are not comments and cannot filter a view."""

    name = ""
    keys: frozenset[str] = frozenset()
    default_required = False
    # How tallies count it: per option ("choice"), per item on one scale ("matrix"), or not.
    tally: Tally = "none"
    # How the tallies page draws it: a stacked bar, a share per option, or ranked items.
    layout: Layout = ""
    # How the results page draws it: bars per option, a diverging bar per item (Likert),
    # a histogram of its numbers, a searchable list of its texts, or not at all.
    chart: Chart = ""
    # Whether each tallied field holds one code per respondent, so that two such fields
    # (or one and the edition) make a cross-tab.
    crosstab = False
    # Whether its tallies give top-box and top-2-box shares.
    boxes = False
    # Whether its answers are free text, listed as comments in the printable report.
    free_text = False
    # Whether it may filter a view (as a profile question on the first page).
    segment = False
    # What joins several codes in one imported cell (None: a cell is one value).
    separator: str | None = None
    # Whether a field renders as a group of inputs, so an error links to the first one.
    grouped = False
    # Whether the server computes its value (no field is drawn and a posted value is ignored).
    computed = False
    # Whether its answers are numbers (SPSS and Stata files hold them as numeric variables;
    # other answers without options are text there).
    numeric = False
    # Which list `randomize: true` shuffles ("": the type takes no `randomize`).
    shuffles: Shuffles = ""

    @property
    def partial(self) -> str:
        """The template that renders a question of this type on a survey page."""
        return f"partials/{self.name}.html"

    def parse(self, raw: dict, path: str, reader: Reader) -> dict[str, Any]:
        return {}

    def field_names(self, q: Question) -> list[str]:
        return [q.id]

    def label(self, q: Question, field_name: str) -> str:
        return q.text

    def item_label(self, q: Question, field_name: str) -> str:
        """The item a field stands for within its question ("" when the question has one field)."""
        return ""

    def tallied(self, q: Question) -> list[tuple[str, tuple[Option, ...]]]:
        """(field, options) pairs whose codes are counted."""
        return []

    def series(self, q: Question) -> list[Series]:
        """The trend lines of a question, one per option or item."""
        return []

    def split_cell(self, text: str) -> list[str]:
        """The raw values of one imported cell."""
        return text.split(self.separator) if self.separator else [text]

    def cell_splitter(self, q: Question, field_name: str) -> Callable[[str], list[str]]:
        """How an imported cell of this field splits into raw values."""
        return self.split_cell

    def dependent(self, q: Question, field_name: str) -> bool:
        """Whether a field is asked only through another of its question's fields (a
        "please specify" text): a file giving the question without it gives it blank."""
        return False

    def comment_fields(self, q: Question) -> list[str]:
        """The fields whose answers are free text, listed as comments in the report."""
        return self.field_names(q) if self.free_text else []

    def anchor(self, q: Question, field_id: str) -> str:
        """The HTML id an error summary links to for a field."""
        return f"{field_id}-0" if self.grouped else field_id

    def check(self, q: Question, field_name: str, raw: list[str]) -> tuple[Value, str]:
        """Return (clean value or None when unanswered, error message or "")."""
        raise NotImplementedError

    def check_question(self, q: Question, getlist: Callable[[str], list[str]]) -> Checked:
        """(field, clean value or None, error or "") for every field of a question; a type
        whose fields depend on each other overrides this."""
        for name in self.field_names(q):
            value, error = self.check(q, name, getlist(name))
            yield name, value, error

    def unbound_field(self, q: Question, field_name: str):
        raise NotImplementedError
