"""The three value types (str, float, bool) and the XPath 1.0 conversions between them.

static/expressions.js mirrors every function here; change both or neither.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal

Value = str | float | bool

SPACE = " \t\r\n"  # XPath's whitespace; no other character counts as space
NAN = math.nan
INF = math.inf
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_LIST_SPACE = re.compile(r"[ \t\r\n]+")
_EPOCH = date(1970, 1, 1).toordinal()


def answer_value(raw: object) -> Value:
    """An answer as the language sees it: a multiple-choice list joins with spaces,
    no answer is the empty string, numbers are floats."""
    if raw is None:
        return ""
    if isinstance(raw, str | bool | float):
        return raw
    if isinstance(raw, int):
        return float(raw)
    if isinstance(raw, list | tuple):
        return " ".join(str(code) for code in raw)
    return str(raw)


def to_number(value: Value) -> float:
    kind = type(value)
    if kind is float:
        return value  # type: ignore[return-value]
    if kind is not str:
        return 1.0 if value else 0.0
    if value.isascii() and value.isdigit():  # type: ignore[union-attr]
        return float(value)
    text = value.strip(SPACE)  # type: ignore[union-attr]
    if _NUMBER.fullmatch(text):
        return float(text)
    return _date_days(text)


def _date_days(text: str) -> float:
    """An ISO date (YYYY-MM-DD) counts as days since 1970-01-01, as ODK dates do."""
    match = _DATE.fullmatch(text)
    if not match:
        return NAN
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return NAN
    return float(day.toordinal() - _EPOCH)


def to_string(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return number_text(value)


def number_text(number: float) -> str:
    """XPath string(): plain decimal, never an exponent, the shortest digits that
    read back as the same double."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    return format(Decimal(repr(number)).normalize(), "f")


def to_boolean(value: Value) -> bool:
    kind = type(value)
    if kind is str:
        return value != ""
    if kind is bool:
        return value  # type: ignore[return-value]
    return value != 0 and value == value  # NaN is the one value unequal to itself


def list_items(value: Value) -> list[str]:
    """The codes of a space-separated list (a multiple-choice answer)."""
    text = to_string(value)
    if "\t" in text or "\n" in text or "\r" in text:
        return [item for item in _LIST_SPACE.split(text) if item]
    return [item for item in text.split(" ") if item]


def in_list(value: Value, code: str) -> bool:
    """Whether a space-separated list holds the code (XPath selected())."""
    text = to_string(value)
    if not code or " " in code or "\t" in code or "\n" in code or "\r" in code:
        return False
    if "\t" in text or "\n" in text or "\r" in text:
        return code in list_items(text)
    return f" {code} " in f" {text} "


def equal(a: Value, b: Value) -> bool:
    if type(a) is str and type(b) is str:
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return to_boolean(a) == to_boolean(b)
    return to_number(a) == to_number(b)


def not_equal(a: Value, b: Value) -> bool:
    """The negation of `=`, NaN included (NaN != NaN is true)."""
    return not equal(a, b)


def divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)
    return a / b


def modulo(a: float, b: float) -> float:
    """XPath mod: the remainder of truncating division (the sign of the dividend)."""
    if b == 0 or math.isnan(a) or math.isnan(b) or math.isinf(a):
        return NAN
    if math.isinf(b):
        return a
    return math.fmod(a, b)


def integer(number: float) -> float:
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


OPERATORS = {
    "=": equal,
    "!=": not_equal,
    "<": lambda a, b: to_number(a) < to_number(b),
    "<=": lambda a, b: to_number(a) <= to_number(b),
    ">": lambda a, b: to_number(a) > to_number(b),
    ">=": lambda a, b: to_number(a) >= to_number(b),
    "+": lambda a, b: to_number(a) + to_number(b),
    "-": lambda a, b: to_number(a) - to_number(b),
    "*": lambda a, b: to_number(a) * to_number(b),
    "div": lambda a, b: divide(to_number(a), to_number(b)),
    "mod": lambda a, b: modulo(to_number(a), to_number(b)),
}
