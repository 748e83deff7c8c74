"""The questionnaire expression language: the XLSForm/ODK (XPath 1.0) subset used by
`relevant`, `constraint`, `required`, `calculate` and `screen_out`.

API: ``parse(text, location=...)`` once per definition version gives an immutable tree;
``check(tree, ...)`` rejects what the questionnaire around it makes wrong; ``evaluate(tree,
answers, current, today)`` gives a value; ``truthy(value)`` its boolean; ``references(tree)``
the fields it reads; ``find_cycle({name: tree})`` a cycle among calculations. Every problem is
an ``ExpressionError`` whose text is "<location>: <message> at character <n>". Nothing is
passed to eval/exec: the tree computes itself. static/expressions.js implements the same
language for the browser; tests/expressions/corpus.json holds both to the same results.

Semantics (decisions, with XPath 1.0 and ODK/JavaRosa as the reference):

Values are strings, numbers (IEEE doubles) and booleans; there are no node-sets.
``${name}`` is the answer's value, as JavaRosa reads it: no answer (missing or None) is the
empty string; a multiple-choice answer (a list of codes) is its codes joined by one space;
a string stays a string (a number question's answer is the string "12", compared as a
number when the other side is a number); int/float answers are numbers, bools booleans.
``.`` is the answer a constraint checks, converted the same way; elsewhere it is an error.
A matrix item is the field ``${question-item}``. Field names may hold letters, digits,
``_``, ``-`` and ``.``.

Literals: numbers are digits with an optional fraction (``5``, ``5.``, ``.5``), no sign
(``-`` is the unary minus), no exponent, at most 30 characters; strings are quoted with
``'`` or ``"`` and have no escapes (XPath 1.0), at most 500 characters.

To number (XPath number()): XPath whitespace (space, tab, CR, LF, nothing else) around an
optional ``-`` and digits with an optional ``.``; anything else is NaN: ``''``, ``'+1'``,
``'1e3'``, ``'1,5'``, ``'Infinity'``, non-ASCII digits. One extension, as ODK converts date
values: an ISO date ``YYYY-MM-DD`` (a real Gregorian date, year 0001-9999) is the number of
days since 1970-01-01, so ``today() > '2024-01-01'`` and ``today() - '2024-01-01'`` work.
true is 1, false 0. To string (XPath string()): NaN, Infinity, -Infinity; -0 is "0";
otherwise plain decimal, never an exponent, with the shortest digits that read back as the
same double (``1 div 3`` is "0.3333333333333333", 1e21 is "1000000000000000000000");
booleans are "true" and "false". To boolean: a string is true when not empty (so "0",
"false" and " " are true), a number when neither 0 nor NaN.

``=`` and ``!=``: two strings compare code point by code point (no trimming, case folding
or Unicode normalisation); otherwise, if either side is a boolean both compare as booleans,
else both as numbers. ``< <= > >=`` always compare numbers ('a' < 'b' is false). NaN is
unequal to everything: every comparison with NaN is false except ``!=``, which is true.
``+ - * div mod`` and unary minus work on numbers: ``x div 0`` is Infinity or -Infinity
(the sign of x times the sign of the zero), ``0 div 0`` NaN; ``mod`` is the remainder of a
truncating division (sign of the dividend), ``x mod 0`` and ``Infinity mod x`` are NaN,
``x mod Infinity`` is x; overflow gives Infinity. ``and``/``or`` give booleans and stop
early. Precedence, loosest first: or, and, ``= !=``, ``< <= > >=``, ``+ -``,
``* div mod``, unary minus; each level left to right (``1 < 2 < 3`` is ``(1 < 2) < 3``).
As in XPath, a name right after an operand is an operator (and, or, div, mod) and names may
hold ``-``: ``3 div-1`` is an error, ``3 div -1`` is -3. Any other name must be a function.

Functions: ``selected(list, code)`` splits the list on XPath whitespace and looks for the
code (trimmed); ``count-selected(list)`` counts the items; ``string-length(s)`` counts code
points (Python's len; JS counts with Array.from): "é" precomposed is 1, "e" plus a
combining acute is 2, an emoji 1, a flag 2; ``regex(s, 'pattern')`` is true when the RE2
pattern matches anywhere in s (anchor with ^ and $); the pattern must be a quoted string
of at most 200 characters that RE2 compiles (linear time: no backreferences, no
lookaround), checked at parse time; ``if(c, a, b)`` evaluates only the branch it returns;
``coalesce(a, b)`` is a unless a is the empty string; ``number(x)``; ``int(x)`` truncates
toward zero (NaN and infinities stay); ``today()`` is the date "YYYY-MM-DD" (the server's
local date unless ``evaluate`` is given one); ``not(x)``. Also from ODK, because XLSForms
use them: ``true()``, ``false()``, ``string(x)``, ``concat(a, ...)``.

Function names are case-sensitive; space may separate a name from its "(". Whitespace is
space, tab, CR and LF only: any other character outside a string is an error.

Limits: an expression has at most 2,000 characters and nests at most 50 levels (each
parenthesis, function call and unary minus is a level). Error positions are 1-based and
count code points; a parse reports the first problem, the lexer's before the parser's.

Checks (``check``): a ``${name}`` must be one of ``known_fields`` (the fields before the
expression's place; one of ``all_fields`` is "later", any other "unknown"); ``.`` only where
``allow_dot``; ``selected()``/``count-selected()`` of a field need a choice field, and a
quoted code given to ``selected()`` or compared with ``=``/``!=`` to a single-choice field
must be one of its codes (the empty string is always allowed); a multiple-choice field
compared with a non-empty string is an error (use ``selected()``). ``find_cycle`` finds a
loop among ``calculate`` expressions.

In the browser the server's result is the one that counts. regex() there uses JavaScript's
RegExp (flag u, or without it when u refuses the pattern) on patterns RE2 accepted; they
differ on ``\\s`` (JS adds Unicode spaces and \\v), ``.`` (JS also stops at \\r, U+2028 and
U+2029) and RE2-only syntax (``\\pL``, ``(?i)``, ``\\A``, ``\\z``, ``\\C``, ``\\x{...}``,
``[[:alpha:]]``); the shared corpus leaves out patterns that use these.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from surveyapp.questionnaire.expressions.checks import ChoiceField, check, find_cycle, references
from surveyapp.questionnaire.expressions.lexer import ExpressionError
from surveyapp.questionnaire.expressions.nodes import Env, Node
from surveyapp.questionnaire.expressions.parser import parse_tokens
from surveyapp.questionnaire.expressions.values import Value, to_boolean, to_string

Expr = Node


def parse(text: str, *, location: str = "") -> Expr:
    """The tree of one expression; ExpressionError (syntax, limits, unknown function,
    arity, regex pattern) names `location` and the character position."""
    if not isinstance(text, str):
        raise ExpressionError("syntax", "an expression must be text", None, location)
    return parse_tokens(text, location)


def evaluate(
    tree: Expr,
    answers: Mapping[str, Any],
    current: Any = None,
    today: date | str | None = None,
) -> Value:
    """The value of a parsed expression given the answers so far ({field: str, list of
    codes or None}), the current answer (for `.`) and today's date."""
    return tree.value(Env(answers, current, today))


def truthy(value: Value) -> bool:
    """XPath boolean(): what `relevant`, `constraint`, `required` and `screen_out` test."""
    return to_boolean(value)


def as_text(value: Value) -> str:
    """XPath string(): how a `calculate` value is stored."""
    return to_string(value)


__all__ = [
    "ChoiceField",
    "Expr",
    "ExpressionError",
    "Value",
    "as_text",
    "check",
    "evaluate",
    "find_cycle",
    "parse",
    "references",
    "truthy",
]
