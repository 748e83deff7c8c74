"""Hand-written corpus cases: literals, references, comparisons, arithmetic, logic, syntax.
Each expected value is worked out from the semantics, not taken from either evaluator."""

from __future__ import annotations

from typing import Any

NAN: dict = {"number": "NaN"}
INF: dict = {"number": "Infinity"}
NINF: dict = {"number": "-Infinity"}
ANSWERS: dict[str, Any] = {
    "name": "Ana", "age": "42", "zero": "0", "empty": "", "neg": "-3.5", "padded": " 12 ",
    "multi": ["a", "b", "c"], "nothing": [], "one": "yes", "falsy": "false", "void": None,
    "day": "2024-01-15", "matrix-row1": "3", "dotted.name": "v", "n": 5, "flag": True,
    "codes": ["1", "2"], "spaced": "a\tb\n c", "cafe": "café",
}  # fmt: skip


def err(kind: str, at: int | None = None) -> dict:
    return {"error": kind, "at": at}


def case(expression: str, expected: Any, answers: str = "base", current: Any = None) -> dict:
    """`answers` names one of the corpus's answer sets (base, hostile, none)."""
    return {"expression": expression, "answers": answers, "current": current, "expected": expected}


LITERALS = [
    ("1", 1), ("1.5", 1.5), (".5", 0.5), ("5.", 5), ("007", 7), ("0.10", 0.1), ("0", 0),
    ("'abc'", "abc"), ('"abc"', "abc"), ("''", ""), ('"it\'s"', "it's"),
    ("'say \"hi\"'", 'say "hi"'), ("'  spaced  '", "  spaced  "), ("'日本'", "日本"),
    ("'مرحبا'", "مرحبا"), ("'😀'", "😀"), ("'line\nbreak'", "line\nbreak"),
    ("000000000000000000000000000001", 1), ("0.0000000000000000000000000001", 1e-28),
    ("1" * 30, float("1" * 30)), ("1" * 31, err("number-too-long", 1)),
    ("1 + " + "2" * 31, err("number-too-long", 5)), ("0." + "0" * 29, err("number-too-long", 1)),
]  # fmt: skip

REFERENCES = [
    ("${name}", "Ana"), ("${missing}", ""), ("${empty}", ""), ("${void}", ""),
    ("${multi}", "a b c"), ("${nothing}", ""), ("${age}", "42"), ("${age} + 0", 42),
    ("${neg} * 2", -7), ("${padded} + 1", 13), ("${matrix-row1}", "3"), ("${dotted.name}", "v"),
    ("${n}", 5), ("${n} + 1", 6), ("${flag}", True), ("${flag} + 1", 2), ("${cafe}", "café"),
    ("${a b}", err("syntax", 1)), ("${}", err("syntax", 1)), ("$name", err("syntax", 1)),
    ("${name", err("syntax", 1)), ("${na}me}", err("syntax", 6)), ("1 + ${é}", err("syntax", 5)),
    ("${name}${age}", err("syntax", 8)), ("${constructor}", ""), ("${__proto__}", ""),
]  # fmt: skip

DOT = [
    (".", "x", "x"), (". = 'x'", "x", True), (".", ["a", "b"], "a b"), (".", None, ""),
    ("string-length(.)", "héllo", 5), ("selected(., 'b')", ["a", "b"], True),
    ("count-selected(.) <= 2", ["a", "b", "c"], False), (". > 10", "12", True),
    (". > 10", "", False), ("regex(., '^[0-9]+$')", "2024", True), (". + 1", 4, 5),
]  # fmt: skip

EQUALITY = [
    ("'a' = 'a'", True), ("'a' = 'A'", False), ("'a' != 'b'", True), ("1 = 1.0", True),
    ("'1' = 1", True), ("'1.0' = 1", True), ("'1.0' = '1'", False), ("' 1 ' = 1", True),
    ("'' = 0", False), ("'' != 0", True), ("'' = ''", True), ("${empty} = ''", True),
    ("${missing} = ''", True), ("'abc' = 0", False), ("true() = 1", True),
    ("false() = 0", True), ("true() = 'false'", True), ("false() = ''", True),
    ("true() = 2", True), ("not(0) = true()", True), ("'NaN' = number('x')", False),
    ("number('x') = number('x')", False), ("number('x') != number('x')", True),
    ("number('x') != 1", True), ("1 != 1", False), ("${age} = 42", True),
    ("${age} = '42'", True), ("${age} = '042'", False), ("${age} = 042", True),
    ("${multi} = 'a b c'", True), ("'é' = 'e\u0301'", False), ("'日本' = '日本'", True),
    ("1 = 1 = 1", True), ("1 = 2 = 0", True), ("${zero} = false()", False),
    ("${zero} = 0", True), ("${zero} + 0 = false()", True), ("'0' = false()", False),
    ("'true' = true()", True), ("${falsy} = false()", False), ("${n} = '5'", True),
    ("${flag} = 'yes'", True), ("-0 = 0", True), ("'abc' = 'abc '", False),
]  # fmt: skip

RELATIONAL = [
    ("1 < 2", True), ("2 <= 2", True), ("3 > 2", True), ("2 >= 3", False), ("'a' < 'b'", False),
    ("'a' >= 'a'", False), ("'10' > '9'", True), ("'10' > 9", True), ("${age} > 18", True),
    ("${empty} > 18", False), ("${empty} < 18", False), ("${empty} >= 0", False),
    ("number('x') < 1", False), ("number('x') >= number('x')", False),
    ("true() > false()", True), ("true() >= 1", True), ("-1 < -0.5", True), ("-0 < 0", False),
    ("1 < 2 < 3", True), ("3 > 2 > 1", False), ("1 div 0 > 99999999999999999999", True),
    ("-1 div 0 < 0", True), ("today() > '2024-01-01'", True), ("today() < '2024-03-01'", True),
    ("today() = '2024-02-29'", True), ("'2024-02-29' >= '2024-02-29'", True),
    ("'2023-02-29' < '2024-01-01'", False), ("'2024-1-1' < '2024-02-01'", False),
    ("' 2024-01-01 ' < '2024-01-02'", True), ("'2024-01-01T00:00' < '2025-01-01'", False),
    ("${day} < today()", True), ("${day} > '2024-01-14'", True), ("${neg} < -3", True),
]  # fmt: skip

ARITHMETIC = [
    ("1 + 2", 3), ("0.1 + 0.2", 0.1 + 0.2), ("1 - 3", -2), ("2 * 3.5", 7), ("7 div 2", 3.5),
    ("7 mod 2", 1), ("-7 mod 2", -1), ("7 mod -2", 1), ("7.5 mod 2", 1.5), ("5 mod 0", NAN),
    ("0 mod 5", 0), ("1 div 0", INF), ("-1 div 0", NINF), ("0 div 0", NAN),
    ("1 div -0", NINF), ("-1 div -0", INF), ("(1 div 0) - (1 div 0)", NAN),
    ("(1 div 0) * 0", NAN), ("(1 div 0) mod 2", NAN), ("5 mod (1 div 0)", 5),
    ("-5 mod (-1 div 0)", -5), ("number('x') div 0", NAN), ("'3' + '4'", 7), ("'a' + 1", NAN),
    ("${empty} + 1", NAN), ("${missing} * 0", NAN), ("true() + true()", 2), ("'' + ''", NAN),
    ("2 + 3 * 4", 14), ("(2 + 3) * 4", 20), ("10 - 4 - 3", 3), ("100 div 10 div 5", 2),
    ("2 * 3 mod 4", 2), ("7 - -2", 9), ("- - 3", 3), ("-(2)", -2), ("-'3'", -3),
    ("-${empty}", NAN), ("--1", 1), ("1--1", 2), ("1-1", 0), ("${age}-1", 41),
    ("2*-1", -2), ("1 div 3", 1 / 3), ("2 div 3", 2 / 3), ("3 div-1", err("syntax", 3)),
    ("3 div -1", -3), ("5div 2", 2.5), ("5 mod2", err("syntax", 3)), ("0.1 * 3", 0.1 * 3),
    ("99999999999999999999 * 99999999999999999999", 1e20 * 1e20),
    (" * ".join(["999999999999999999999999999999"] * 11), INF),
    ("-" + " * ".join(["999999999999999999999999999999"] * 11), NINF),
    ("0.000000000000000000000000001 * 0.000000000000000000000000001", 1e-27 * 1e-27),
    ("1 div 99999999999999999999 div 99999999999999999999", 1 / 1e20 / 1e20),
    ("-0.5 mod 1", -0.5), ("5.5 mod -2", 1.5), ("-5.5 mod -2", -1.5),
]  # fmt: skip

LOGIC = [
    ("1 and 1", True), ("1 and 0", False), ("0 or ''", False), ("'' or 'x'", True),
    ("'0' and 1", True), ("'false' and true()", True), ("${empty} or ${missing}", False),
    ("${name} and ${age}", True), ("not('')", True), ("not('0')", False), ("not(0)", True),
    ("not(number('x'))", True), ("not(not(1))", True), ("1 or 0 and 0", True),
    ("(1 or 0) and 0", False), ("1 = 1 and 2 = 2", True), ("1 = 1 or 1 div 0", True),
    ("0 and regex(., '^a$')", False), ("1 or 2 or 3", True), ("0 or 0 or 0 or 1", True),
    ("${one} = 'yes' and not(selected(${multi}, 'z'))", True), ("1 and", err("syntax", 6)),
    ("and 1", err("syntax", 1)), ("1 and or 2", err("syntax", 7)), ("1 and2", err("syntax", 3)),
    ("1 AND 1", err("syntax", 3)), ("${flag} and ${falsy}", True), ("1 and (0 or 2)", True),
    ("not (1)", False), ("not 1", err("syntax", 1)), ("${nothing} or ${void}", False),
]  # fmt: skip

SYNTAX = [
    ("", err("syntax", 1)), ("   ", err("syntax", 4)), ("(", err("syntax", 2)),
    (")", err("syntax", 1)), ("1 +", err("syntax", 4)), ("1 2", err("syntax", 3)),
    ("1 = = 1", err("syntax", 5)), ("1 == 1", err("syntax", 4)), ("1 & 2", err("syntax", 3)),
    ("1 | 2", err("syntax", 3)), ("1 ! 2", err("syntax", 3)), ("${a} / 2", err("syntax", 6)),
    ("'abc", err("syntax", 1)), ("\"abc'", err("syntax", 1)), ("f(1)", err("unknown-function", 1)),
    ("foo-bar(1)", err("unknown-function", 1)), ("sum(1)", err("unknown-function", 1)),
    ("position()", err("unknown-function", 1)), ("1 + Selected(${multi}, 'a')",
    err("unknown-function", 5)), ("1 div", err("syntax", 6)), ("div 1", err("syntax", 1)),
    ("..", err("syntax", 2)), ("1.2.3", err("syntax", 4)), ("@attr", err("syntax", 1)),
    ("1 = 1]", err("syntax", 6)), ("1 + 'é' = é", err("syntax", 11)),
    ("'😀' + ", err("syntax", 7)), ("'😀😀' ?", err("syntax", 6)), ("true", err("syntax", 1)),
    ("yes", err("syntax", 1)), ("selected(${multi},)", err("syntax", 19)),
    ("if(1,2,3", err("syntax", 9)), ("(1", err("syntax", 3)), ("(1))", err("syntax", 4)),
    ("1 +\u00a02", err("syntax", 4)), ("1\u30002", err("syntax", 2)), ("f (1)",
    err("unknown-function", 1)), ("1 * * 2", err("syntax", 5)), ("* 2", err("syntax", 1)),
    (",", err("syntax", 1)), ("not(,)", err("syntax", 5)), ("'a' 'b'", err("syntax", 5)),
    ("1 -", err("syntax", 4)), ("- ", err("syntax", 3)), ("${x} .", err("syntax", 6)),
    ("\t\n 1 + 1\r\n ", 2), ("(1)", 1), ("((((1))))", 1), ("( 1 + 2 ) * 3", 9),
    ("1 + 2 = 3", True), ("1 + 2 = 3 and 2 * 2 = 4", True), ("1 < 2 = 2 > 1", True),
    ("2 * 3 + 4 * 5", 26), ("2 + 3 * 4 - 6 div 2", 11), ("-2 * -2", 4), ("1 - 2 - 3", -4),
    ("2 div 2 * 3", 3), ("'😀' = '😀' and string-length('😀😀') = 2", True),
]  # fmt: skip


def cases() -> list[dict]:
    found = [case(text, expected) for text, expected in LITERALS + REFERENCES]
    found += [case(text, expected, current=current) for text, current, expected in DOT]
    for group in (EQUALITY, RELATIONAL, ARITHMETIC, LOGIC, SYNTAX):
        found += [case(text, expected) for text, expected in group]
    return found
