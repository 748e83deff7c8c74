"""Numbers typed by people (web forms, imported cells, later the API), read as text first.

A number is written out in full: an optional sign, ASCII digits with an optional decimal
point, and ',' as a thousands separator (dropped). Exponents (`1e5`), `NaN`, `Infinity`,
underscores and non-ASCII digits are refused, and so is any number with more than
INTEGER_DIGITS digits before the point or FRACTION_DIGITS after it. The text is matched
against that shape before any conversion, so no input can make Decimal or int() work
on a huge exponent or digit string: the cost of reading a number is bounded by its length.
"""

from __future__ import annotations

import re
from decimal import Decimal

INTEGER_DIGITS = 15
FRACTION_DIGITS = 10  # 25 digits in all: within Decimal's default precision (28)
MAX_LENGTH = 60  # digits, sign, point and separators: longer text is not a number we keep

_SHAPE = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?")
_EXPONENT = re.compile(r"[0-9.]\s*[eE]\s*[+-]?[0-9]")

NOT_A_NUMBER = "Please enter a number."
EXPONENT = "Please write the number out in full, without an exponent (1000, not 1e3)."
TOO_LONG = (
    f"Please enter a number with at most {INTEGER_DIGITS} digits before the decimal point"
    f" and {FRACTION_DIGITS} after it."
)


def parse_number(text: str) -> tuple[Decimal | None, str]:
    """(the number, "") or (None, why it is refused). Never raises."""
    if len(text) > MAX_LENGTH:
        return None, TOO_LONG
    plain = text.strip().replace(",", "")
    shape = _SHAPE.fullmatch(plain)
    if shape is None:
        return None, EXPONENT if _EXPONENT.search(plain) else NOT_A_NUMBER
    sign, whole, fraction = shape.group(1), shape.group(2), shape.group(3) or ""
    if not whole and not fraction:
        return None, NOT_A_NUMBER
    whole = whole.lstrip("0")
    if len(whole) > INTEGER_DIGITS or len(fraction) > FRACTION_DIGITS:
        return None, TOO_LONG
    return Decimal(f"{sign}{whole or '0'}.{fraction or '0'}"), ""


def plain(number: Decimal) -> str:
    """The number as stored: no exponent, no trailing zeros, '0' for zero."""
    text = format(number.normalize(), "f")
    return "0" if text in {"-0", ""} else text
