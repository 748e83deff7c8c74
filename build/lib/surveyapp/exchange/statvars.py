"""The variables of the SPSS (.sav) and Stata (.dta) exports, worked out from the definitions:
names valid in each format, labels, the number that stands for each option code, and the
codes that say why an answer is missing.

- A choice field with one answer (single choice, dropdown, a matrix item) is one numeric
  variable whose value labels are the option labels. Its numbers are the stored codes when
  every code is a plain whole number (0, 1, 17; not 010), else the option's position in the
  definition (1, 2, 3...). A code stored that no definition lists any more gets the next
  free number and itself as its label. The codebook lists every code's number.
- A multiple-choice field is one 0/1 variable per option (1 picked, 0 not picked).
- A number question is a numeric variable; other questions without options are text.
- MISSING below is the one table of missing-value codes. SPSS gets user-missing values (the
  range -99 to -97) and Stata extended missing values (.a, .b, .c), each with its label. A
  number question whose allowed range includes -99 to -97 (or is unbounded below) cannot
  use them in SPSS: it is system-missing there when unanswered (Stata still gets .a).
  Text variables are empty when unanswered in both formats.

Names: ASCII letters, digits and "_", starting with a letter, at most 64 bytes for SPSS
and 32 characters for Stata, never a reserved word, unique ignoring case (a clash gets
"_2", "_3"...). Labels longer than a format allows are cut (at a character) and end in
"…"; the codebook has them in full.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from surveyapp.questionnaire.model import Definition, Option, Question
from surveyapp.questionnaire.types import REGISTRY, QuestionType
from surveyapp.store.filters import NO_FILTERS, Filters


@dataclass(frozen=True)
class Missing:
    state: str  # why the answer is missing
    sav: float  # SPSS user-missing value
    dta: str  # Stata extended missing value (.a ...)
    label: str


# The one mapping of missing answers: shown and left blank, not shown (skip logic: the
# response's not-shown mark lists the field), and "not applicable", reserved here so its
# code never changes once such answers are stored (see STORED_STATES).
MISSING = (
    Missing("blank", -99.0, "a", "Shown, left blank"),
    Missing("not_shown", -98.0, "b", "Not shown (skip logic)"),
    Missing("not_applicable", -97.0, "c", "Not applicable"),
)
BY_STATE = {m.state: m for m in MISSING}
SAV_RANGE = {"lo": -99.0, "hi": -97.0}


class _NotShown:
    """The value a field the response's not-shown mark lists holds while it is written."""

    def __repr__(self) -> str:
        return "NOT_SHOWN"


NOT_SHOWN = _NotShown()
# How a stored answer value maps to a missing state.
STORED_STATES: dict[object, str] = {None: "blank", "": "blank", NOT_SHOWN: "not_shown"}

STRING, NUMERIC, CODED, FLAG = "string", "numeric", "coded", "flag"
FLAG_LABELS = {0.0: "Not picked", 1.0: "Picked"}
LIMITS = {"sav": 64, "dta": 32}
LABEL_LIMITS = {"sav": (255, "bytes"), "dta": (80, "chars")}
VALUE_LABEL_LIMITS = {"sav": (120, "bytes"), "dta": (32000, "bytes")}
SAV_RESERVED = frozenset(
    {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
)
DTA_RESERVED = frozenset({
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long",
    "_n", "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with",
})  # fmt: skip
_PLAIN_NUMBER = re.compile(r"0|[1-9][0-9]{0,8}")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Variable:
    column: str  # the export column its value comes from
    label: str
    kind: str  # STRING, NUMERIC, CODED or FLAG
    code: str = ""  # FLAG: the option it stands for
    values: dict[str, float] = field(default_factory=dict)  # CODED: option code -> number
    labels: dict[float, str] = field(default_factory=dict)  # number -> label
    missing: bool = False  # whether SPSS gets the user-missing codes (else system-missing)
    width: int = 0  # STRING: the longest value in UTF-8 bytes
    meta: bool = False  # about the response (id, time, weight), not an answer
    sav: str = ""
    dta: str = ""

    @property
    def stem(self) -> str:
        """What its names are made from."""
        return f"{self.column}_{self.code}" if self.kind == FLAG else self.column


def code_values(codes: list[str], extras: list[str] = ()) -> dict[str, float]:
    """{code: number}: the codes themselves when all are plain whole numbers, else their
    positions from 1; `extras` (codes stored but not defined) take the next free numbers."""
    plain = bool(codes) and all(_PLAIN_NUMBER.fullmatch(c) for c in codes)
    values = {c: float(int(c) if plain else i) for i, c in enumerate(codes, 1)}
    for code in extras:
        if code in values:
            continue
        own = float(int(code)) if plain and _PLAIN_NUMBER.fullmatch(code) else None
        taken = set(values.values())
        values[code] = own if own is not None and own not in taken else max(taken, default=0) + 1
    return values


def fit(text: str, limit: int, unit: str) -> str:
    """`text` cut to `limit` characters or UTF-8 bytes, ending in "…" when cut."""

    def size(s: str) -> int:
        return len(s) if unit == "chars" else len(s.encode())

    if size(text) <= limit:
        return text
    cut = text
    while size(cut + "…") > limit:
        cut = cut[:-1]
    return cut + "…"


def field_questions(editions: dict[int, Definition], filters: Filters = NO_FILTERS
              ) -> dict[str, tuple[Question, QuestionType, list[Option]]]:  # fmt: skip
    """{field: (question, type, options)}: the newest chosen edition with the field gives
    its question; the options are that edition's, then codes only older ones had."""
    found: dict[str, tuple[Question, QuestionType, list[Option]]] = {}
    chosen = [d for e, d in sorted(editions.items()) if filters.edition in (None, e)]
    for definition in reversed(chosen):
        for q in definition.questions():
            qtype = REGISTRY[q.type]
            options = dict(qtype.tallied(q))
            for name in qtype.field_names(q):
                entry = found.setdefault(name, (q, qtype, []))
                known = {o.code for o in entry[2]}
                entry[2].extend(o for o in options.get(name, ()) if o.code not in known)
    return found


def field_variables(
    q: Question, qtype: QuestionType, name: str, options: list[Option],
    extras: list[str] = (), width: int = 0,
) -> list[Variable]:  # fmt: skip
    """The variables of one export column."""
    label = qtype.item_label(q, name) or q.text
    if options and qtype.separator:
        flags = [(o.code, f"{q.text}: {o.label}") for o in options]
        flags += [(c, f"{q.text}: {c}") for c in extras if c not in {o.code for o in options}]
        return [Variable(name, text, FLAG, code=code, labels=dict(FLAG_LABELS), missing=True)
                for code, text in flags]  # fmt: skip
    if options:
        values = code_values([o.code for o in options], extras)
        names = {o.code: o.label for o in options}
        labels = {number: names.get(code, code) for code, number in values.items()}
        return [Variable(name, label, CODED, values=values, labels=labels, missing=True)]
    if qtype.numeric:
        low = q.settings.get("min")
        return [Variable(name, label, NUMERIC, missing=low is not None and low > SAV_RANGE["hi"])]
    return [Variable(name, label, STRING, width=width)]


def base_name(text: str) -> str:
    """ASCII letters, digits and "_", starting with a letter."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = _NOT_NAME.sub("_", plain)
    return name if name[:1].isalpha() else "v" + name


def _reserved(name: str, fmt: str) -> bool:
    if fmt == "sav":
        return name.upper() in SAV_RESERVED
    return name in DTA_RESERVED or re.fullmatch(r"str[0-9]+", name) is not None


def unique_names(stems: list[str], fmt: str) -> list[str]:
    """A valid, unique name for each stem, in order (a clash or reserved word gets "_2"...)."""
    limit, taken, names = LIMITS[fmt], set(), []
    for stem in stems:
        base = base_name(stem)[:limit]
        name, number = base, 1
        while name.lower() in taken or _reserved(name, fmt):
            number += 1
            name = base[: limit - len(f"_{number}")] + f"_{number}"
        taken.add(name.lower())
        names.append(name)
    return names


def named(variables: list[Variable]) -> list[Variable]:
    """The variables with their SPSS and Stata names."""
    stems = [v.stem for v in variables]
    pairs = zip(unique_names(stems, "sav"), unique_names(stems, "dta"), strict=True)
    return [replace(v, sav=s, dta=d) for v, (s, d) in zip(variables, pairs, strict=True)]


def label_for(variable: Variable, fmt: str) -> str:
    return fit(variable.label, *LABEL_LIMITS[fmt])


def value_labels(variable: Variable, fmt: str) -> dict:
    """{value: label} as the format holds them, the missing codes' labels included where
    the variable has those codes."""
    limit = VALUE_LABEL_LIMITS[fmt]
    labels = {number: fit(text, *limit) for number, text in variable.labels.items()}
    if answers(variable) and (fmt == "dta" or variable.missing):
        for m in MISSING:
            labels[m.sav if fmt == "sav" else m.dta] = fit(m.label, *limit)
    return labels


def answers(variable: Variable) -> bool:
    """Whether a variable holds an answer that may be missing (with a code saying why)."""
    return variable.kind != STRING and not variable.meta


def state_of(value: object) -> str | None:
    """Why an answer is missing (a MISSING state), or None when it was answered."""
    if isinstance(value, list):
        return None if value else "blank"
    return STORED_STATES.get(value)
