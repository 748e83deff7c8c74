"""Corpus cases at and past the limits: nesting, length, huge numbers, long text, big lists;
and generated grids of operators over operands of every type."""

from __future__ import annotations

import math

from tests.expressions.cases_core import INF, NAN, NINF, case, err

BIG = "9" * 400
TINY = "0." + "0" * 400 + "1"
LONG = "a" * 19_999 + "z"
MANY = [f"c{i}" for i in range(5000)]
HOSTILE_ANSWERS = {"big": BIG, "minus_big": "-" + BIG, "tiny": TINY, "long": LONG, "many": MANY,
                   "unicode": "日本😀é" * 1000}  # fmt: skip


def nesting() -> list[tuple[str, object]]:
    return [
        ("(" * 50 + "1" + ")" * 50, 1),
        ("(" * 51 + "1" + ")" * 51, err("too-deep", 51)),
        ("not(" * 50 + "1" + ")" * 50, True),
        ("not(" * 51 + "1" + ")" * 51, err("too-deep", 201)),
        ("-" * 50 + "1", 1),
        ("-" * 51 + "1", err("too-deep", 51)),
        ("- " * 49 + "(1)", -1),
        ("(" + "-(" * 25 + "1" + ")" * 25 + ")", err("too-deep", 51)),
        ("(" + "-(" * 24 + "1" + ")" * 24 + ")", 1),
        ("if(" * 50 + "1" + ", 2, 3)" * 50, 2),
        ("1 + (" * 51 + "1" + ")" * 51, err("too-deep", 255)),
        ("(" * 999 + "1" + ")" * 999, err("too-deep", 51)),
        ("(" * 60, err("too-deep", 51)),
        ("concat(" * 50 + "'a'" + ")" * 50, "a"),
        ("1" + " + 1" * 499, 500),
        ("1 or " * 399 + "1", True),
        ("0 and " * 332 + "1", False),
        ("1 = " * 399 + "1", True),
        ("2 * " * 399 + "2", 2.0**400),
        ("2" + " * 2" * 499, 2.0**500),
    ]


def lengths() -> list[tuple[str, object]]:
    return [
        (" " * 1999 + "1", 1),
        (" " * 2000 + "1", err("too-long")),
        ("'" + "😀" * 498 + "'" + " " * 1500, "😀" * 498),
        ("'" + "😀" * 499 + "'" + " " * 1500, err("too-long")),
        ("string-length('" + "日" * 500 + "')", 500),
        ("string-length('" + "日" * 501 + "')", err("string-too-long", 15)),
        ("'" + "a" * 500 + "'", "a" * 500),
        ("'" + "a" * 501 + "'", err("string-too-long", 1)),
        ("'" + "a" * 2000, err("too-long")),
        ("concat(" + ", ".join(["'" + "x" * 100 + "'"] * 18) + ")", "x" * 1800),
        ("'" + "😀" * 600, err("syntax", 1)),
    ]


HUGE = [
    ("number(${big})", INF), ("number(${minus_big})", NINF), ("${big} * 0", NAN),
    ("${big} > 1", True), ("-${big}", NINF), ("${big} = ${big}", True),
    ("${big} + 0 = ${big} + 1", True), ("${big} - ${big}", NAN), ("${tiny} > 0", False),
    ("${tiny} = 0", True), ("number(${tiny})", 0), ("string(number(${big}))", "Infinity"),
    ("string-length(${big})", 400), ("int(${big})", INF), ("${big} mod 7", NAN),
    ("7 mod ${big}", 7), ("1 div ${big}", 0), ("1 div ${minus_big}", 0),
    ("string-length(${long})", 20_000), ("regex(${long}, 'z$')", True),
    ("regex(${long}, '^a+$')", False), ("regex(${long}, '^a{1,100}z')", False),
    ("selected(${long}, 'z')", False), ("count-selected(${many})", 5000),
    ("selected(${many}, 'c4999')", True), ("selected(${many}, 'c5000')", False),
    ("string-length(${many})", sum(len(c) for c in MANY) + 4999),
    ("string-length(${unicode})", 4000), ("regex(${unicode}, '^(日本😀é)+$')", True),
    ("string-length(concat(${long}, ${long}))", 40_000), ("number(${long})", NAN),
    ("${long} = ${long}", True), ("${long} != concat(${long}, ' ')", True),
]  # fmt: skip


OPERANDS = ["0", "1", "-1", "2.5", "'4'", "''", "'x'", "true()", "false()", "(1 div 0)",
            "number('x')"]  # fmt: skip
VALUES = {"0": 0.0, "1": 1.0, "-1": -1.0, "2.5": 2.5, "'4'": "4", "''": "", "'x'": "x",
          "true()": True, "false()": False, "(1 div 0)": math.inf,
          "number('x')": math.nan}  # fmt: skip


def as_number(value: object) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return float(value) if value.strip().lstrip("-").replace(".", "", 1).isdigit() else math.nan
    return float(value)


def as_boolean(value: object) -> bool:
    if isinstance(value, str):
        return value != ""
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def arithmetic(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            if a == 0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    if b == 0 or math.isnan(a) or math.isnan(b) or math.isinf(a):
        return math.nan
    return a if math.isinf(b) else math.fmod(a, b)


def compare(op: str, a: object, b: object) -> bool:
    if op in ("=", "!="):
        if isinstance(a, str) and isinstance(b, str):
            same = a == b
        elif isinstance(a, bool) or isinstance(b, bool):
            same = as_boolean(a) == as_boolean(b)
        else:
            same = as_number(a) == as_number(b)
        return same if op == "=" else not same
    x, y = as_number(a), as_number(b)
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def encoded(number: float) -> object:
    if math.isnan(number):
        return NAN
    if math.isinf(number):
        return INF if number > 0 else NINF
    return number


def grids() -> list[tuple[str, object]]:
    found = []
    for left in OPERANDS:
        for right in OPERANDS:
            a, b = VALUES[left], VALUES[right]
            for op in ("+", "-", "*", "div", "mod"):
                result = arithmetic(op, as_number(a), as_number(b))
                found.append((f"{left} {op} {right}", encoded(result)))
            for op in ("=", "!=", "<", ">="):
                found.append((f"{left} {op} {right}", compare(op, a, b)))
    return found


def cases() -> list[dict]:
    found = [case(text, expected, "hostile") for text, expected in nesting() + HUGE]
    found += [case(text, expected, "none") for text, expected in lengths() + grids()]
    return found
