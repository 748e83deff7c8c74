"""Hand-written corpus cases: every function, with its edge cases and Unicode."""

from __future__ import annotations

from datetime import date

from tests.expressions.cases_core import INF, NAN, NINF, case, err

TODAY = "2024-02-29"


def days(text: str) -> float:
    return float((date.fromisoformat(text) - date(1970, 1, 1)).days)


SELECTED = [
    ("selected(${multi}, 'a')", True), ("selected(${multi}, 'd')", False),
    ("selected(${multi}, ' b ')", True), ("selected(${multi}, 'a b')", False),
    ("selected(${multi}, '')", False), ("selected(${nothing}, 'a')", False),
    ("selected(${one}, 'yes')", True), ("selected(${spaced}, 'b')", True),
    ("selected(${spaced}, 'c')", True), ("selected('a  b', 'b')", True),
    ("selected(${multi}, 'A')", False), ("selected(${codes}, 1)", True),
    ("selected(${codes}, 1.0)", True), ("selected(${codes}, 3)", False),
    ("selected(${missing}, '')", False), ("selected(${multi})", err("arity", 1)),
    ("selected(${multi}, 'a', 'b')", err("arity", 1)),
    ("Selected(${multi}, 'a')", err("unknown-function", 1)),
    ("count-selected(${multi})", 3), ("count-selected(${nothing})", 0),
    ("count-selected('a  b ')", 2), ("count-selected(${one})", 1),
    ("count-selected(${missing})", 0), ("count-selected(${multi}) > 2", True),
    ("count-selected()", err("arity", 1)), ("count-selected(12)", 1),
    ("count-selected(${spaced})", 3), ("count-selected(' \t\n')", 0),
]  # fmt: skip

STRING_LENGTH = [
    ("string-length('abc')", 3), ("string-length('')", 0), ("string-length('café')", 4),
    ("string-length('cafe\u0301')", 5), ("string-length('日本語')", 3),
    ("string-length('مرحبا بالعالم')", 13), ("string-length('😀')", 1),
    ("string-length('👍🏽')", 2), ("string-length('🇫🇷')", 2),
    ("string-length('👨\u200d👩\u200d👧')", 5), ("string-length('a\u0308')", 2),
    ("string-length('\u05e9\u05b8\u05dc\u05d5\u05b9\u05dd')", 6),
    ("string-length(12.50)", 4), ("string-length(1 div 0)", 8),
    ("string-length(-1 div 0)", 9), ("string-length(number('x'))", 3),
    ("string-length(true())", 4), ("string-length(${multi})", 5),
    ("string-length(${cafe})", 4), ("string-length(' ')", 1), ("string-length()", err("arity", 1)),
    ("string-length('a', 'b')", err("arity", 1)), ("string-length(${missing})", 0),
    ("string-length('\u200b')", 1), ("string-length('\U0001d11e')", 1),
]  # fmt: skip

REGEX = [
    ("regex('abc', 'b')", True), ("regex('abc', '^b')", False),
    ("regex('ABC', '^[A-Z]{3}$')", True), ("regex('AB1', '^[A-Z]{3}$')", False),
    ("regex('日本', '^..$')", True), ("regex('😀', '^.$')", True), ("regex('café', 'é')", True),
    ("regex('a.b', 'a\\.b')", True), ("regex('axb', 'a\\.b')", False),
    ("regex(12, '^1')", True), ("regex(true(), 'ru')", True), ("regex('', '')", True),
    ("regex('a1', '[0-9]')", True), ("regex('2024-02-29', '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')", True),
    ("regex('ab', 'a|b')", True), ("regex('Hello', '(?:hel|Hel)lo')", True),
    ("regex('AbC', '^[a-zA-Z]+$')", True), ("regex('abc', 'ABC')", False),
    ("regex('x@y.org', '^[^@ ]+@[^@ ]+\\.[a-z]{2,}$')", True), ("regex('a\nb', '^b')", False),
    ("regex('aaa', '^a{2,3}$')", True), ("regex('aaaa', '^a{2,3}$')", False),
    ("regex('éa', '^\\w')", False), ("regex('_a', '^\\w+$')", True),
    ("regex('12', '^\\d+$')", True), ("regex('١٢', '^\\d+$')", False),
    ("regex('x', '(')", err("regex", 1)), ("regex('x', 'a**')", err("regex", 1)),
    ("regex('x', '[a')", err("regex", 1)), ("regex('x', ${name})", err("regex", 1)),
    ("regex('x', concat('a'))", err("regex", 1)), ("regex('x', 5)", err("regex", 1)),
    ("regex('x')", err("arity", 1)), ("1 and regex('x', ')')", err("regex", 7)),
    ("regex('xxx', '" + "x" * 200 + "')", False), ("regex('x', '" + "x" * 201 + "')",
    err("regex", 1)),
]  # fmt: skip

BRANCHES = [
    ("if(1, 'a', 'b')", "a"), ("if('', 'a', 'b')", "b"), ("if(${empty}, 1, 2)", 2),
    ("if(${age} > 18, 'adult', 'minor')", "adult"), ("if('0', 1, 2)", 1),
    ("if(number('x'), 1, 2)", 2), ("if(1, 2)", err("arity", 1)),
    ("if(0, 1 div 0, 5)", 5), ("if(true(), ${name}, 1 div 0)", "Ana"),
    ("if(0, 'a', if(1, 'b', 'c'))", "b"), ("if(1, 2, 3, 4)", err("arity", 1)),
    ("coalesce(${empty}, 'x')", "x"), ("coalesce(${name}, 'x')", "Ana"),
    ("coalesce(${missing}, ${nothing})", ""), ("coalesce('', 0)", 0), ("coalesce(0, 5)", 0),
    ("coalesce(false(), 5)", False), ("coalesce(' ', 'x')", " "), ("coalesce(1)", err("arity", 1)),
    ("coalesce(1, 2, 3)", err("arity", 1)), ("coalesce(${void}, ${multi})", "a b c"),
    ("not(1, 2)", err("arity", 1)), ("not()", err("arity", 1)), ("true()", True),
    ("false()", False), ("true(1)", err("arity", 1)), ("not(true())", False),
]  # fmt: skip

NUMBERS = [
    ("number('12')", 12), ("number(' 12 ')", 12), ("number('\t12\n')", 12),
    ("number('-12')", -12), ("number('-.5')", -0.5), ("number('12.')", 12),
    ("number('.5')", 0.5), ("number('')", NAN), ("number(' ')", NAN), ("number('+1')", NAN),
    ("number('1e3')", NAN), ("number('0x10')", NAN), ("number('Infinity')", NAN),
    ("number('-Infinity')", NAN), ("number('NaN')", NAN), ("number('1,5')", NAN),
    ("number('1 000')", NAN), ("number('١٢')", NAN), ("number('１２')", NAN),
    ("number('\u00a012')", NAN), ("number('- 1')", NAN), ("number('--1')", NAN),
    ("number('.')", NAN), ("number('-')", NAN), ("number(true())", 1), ("number(false())", 0),
    ("number(${multi})", NAN), ("number(${age})", 42), ("number(${codes})", NAN),
    ("number('007.50')", 7.5), ("number(1 div 0)", INF), ("number('2024-02-29')", days(TODAY)),
    ("number('1970-01-01')", 0), ("number('1969-12-31')", -1),
    ("number('0001-01-01')", days("0001-01-01")), ("number('9999-12-31')", days("9999-12-31")),
    ("number('0000-01-01')", NAN), ("number('2023-02-29')", NAN), ("number('2024-13-01')", NAN),
    ("number('2024-00-10')", NAN), ("number('2024-01-32')", NAN), ("number('2024-04-31')", NAN),
    ("number('24-01-01')", NAN), ("number(' 2024-01-01 ')", days("2024-01-01")),
    ("number('2024-01-01T10:00')", NAN), ("number('2000-02-29')", days("2000-02-29")),
    ("number('1900-02-29')", NAN), ("number()", err("arity", 1)),
    ("int(2.7)", 2), ("int(-2.7)", -2), ("int('3.9')", 3), ("int(-0.5)", 0),
    ("int(number('x'))", NAN), ("int(1 div 0)", INF), ("int(-1 div 0)", NINF), ("int('')", NAN),
    ("int(true())", 1), ("int(12345678901234567890.5)", 12345678901234567168),
    ("int(7 div 2)", 3), ("int('-0.9') = 0", True), ("int()", err("arity", 1)),
    ("today()", TODAY), ("today() - '2024-02-28'", 1), ("number(today())", days(TODAY)),
    ("string-length(today())", 10), ("today(1)", err("arity", 1)),
    ("today() - '2023-02-28'", 366), ("int((today() - '2000-02-29') div 365.25)", 24),
]  # fmt: skip

STRINGS = [
    ("string(1)", "1"), ("string(1.5)", "1.5"), ("string(-0)", "0"),
    ("string(0.1 + 0.2)", "0.30000000000000004"), ("string(1 div 3)", "0.3333333333333333"),
    ("string(2 div 3)", "0.6666666666666666"), ("string(-1.5)", "-1.5"),
    ("string(100000000000000000000 * 10)", "1000000000000000000000"),
    ("string(0.0000001)", "0.0000001"), ("string(1 div 1000000000)", "0.000000001"),
    ("string(0.000001 div 1000)", "0.0000000009999999999999999"),
    ("string(1 div 0)", "Infinity"), ("string(-1 div 0)", "-Infinity"),
    ("string(number('x'))", "NaN"), ("string(true())", "true"), ("string(false())", "false"),
    ("string(${multi})", "a b c"), ("string(123456789012345678901234567890)",
    "123456789012345680000000000000"), ("string(${age})", "42"), ("string(5.)", "5"),
    ("string(007.50)", "7.5"), ("string(-0.000001)", "-0.000001"), ("string(1 div 1024)",
    "0.0009765625"), ("string(12345.678)", "12345.678"), ("string()", err("arity", 1)),
    ("string(${n})", "5"), ("string(${flag})", "true"),
    ("concat('a', 'b')", "ab"), ("concat(1, true(), 'x')", "1truex"),
    ("concat(${multi}, '|')", "a b c|"), ("concat()", err("arity", 1)),
    ("concat('日本', '😀')", "日本😀"), ("concat(${empty})", ""),
    ("concat(${name}, ' is ', ${age})", "Ana is 42"), ("concat(0.5, -0)", "0.50"),
]  # fmt: skip


def cases() -> list[dict]:
    found = []
    for group in (SELECTED, STRING_LENGTH, REGEX, BRANCHES, NUMBERS, STRINGS):
        found += [case(text, expected) for text, expected in group]
    return found
