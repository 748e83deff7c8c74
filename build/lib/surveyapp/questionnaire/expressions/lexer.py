"""Splitting expression text into tokens; the limits; the one error type.

Positions are 1-based and count code points (as Python's len does).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LENGTH = 2000  # characters in one expression
MAX_DEPTH = 50  # nested parentheses, function calls and unary minus signs
MAX_NUMBER = 30  # characters in one number literal
MAX_STRING = 500  # characters inside one string literal
MAX_PATTERN = 200  # characters in one regex() pattern

OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
_SYMBOLS = {"!=": "!=", "<=": "<=", ">=": ">=", "=": "=", "<": "<", ">": ">", "+": "+",
            "-": "-", "*": "*", "(": "(", ")": ")", ",": ","}  # fmt: skip
_PUNCTUATION = frozenset({"(", ")", ","})
_SPACE = frozenset(" \t\r\n")
_DIGITS = frozenset("0123456789")
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | _DIGITS | frozenset(".-")
_OPERAND_END = frozenset({"num", "str", "ref", "dot", ")"})


class ExpressionError(ValueError):
    """A definition error in one expression. ``kind`` is a stable code (syntax, too-long,
    too-deep, number-too-long, string-too-long, unknown-function, arity, regex,
    unknown-field, later-field, dot, type); ``at`` the 1-based character position, if any."""

    def __init__(self, kind: str, message: str, at: int | None = None, location: str = ""):
        self.kind, self.message, self.at, self.location = kind, message, at, location
        where = f" at character {at}" if at is not None else ""
        super().__init__(f"{location}: {message}{where}" if location else f"{message}{where}")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num, str, ref, dot, func, op, (, ), ",", end
    text: str
    at: int


class Lexer:
    def __init__(self, text: str, location: str):
        self.text, self.location, self.i = text, location, 0
        self.tokens: list[Token] = []

    def fail(self, kind: str, message: str, at: int) -> ExpressionError:
        return ExpressionError(kind, message, at + 1, self.location)

    def run(self) -> list[Token]:
        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char in _SPACE:
                self.i += 1
            else:
                self.tokens.append(self.token(char))
        self.tokens.append(Token("end", "", len(text) + 1))
        return self.tokens

    def token(self, char: str) -> Token:
        start, text = self.i, self.text
        if char in _DIGITS or (char == "." and text[start + 1 : start + 2] in _DIGITS):
            return self.number()
        if char == ".":
            self.i += 1
            return Token("dot", ".", start + 1)
        if char in "'\"":
            return self.string(char)
        if char == "$":
            return self.reference()
        if char in _NAME_START:
            return self.name()
        symbol = text[start : start + 2] if text[start : start + 2] in _SYMBOLS else char
        if symbol not in _SYMBOLS:
            raise self.fail("syntax", f"unexpected character {char!r}", start)
        self.i += len(symbol)
        return Token(symbol if symbol in _PUNCTUATION else "op", symbol, start + 1)

    def scan(self, allowed: frozenset[str]) -> str:
        start, text = self.i, self.text
        while self.i < len(text) and text[self.i] in allowed:
            self.i += 1
        return text[start : self.i]

    def number(self) -> Token:
        start = self.i
        self.scan(_DIGITS)
        if self.text[self.i : self.i + 1] == ".":
            self.i += 1
            self.scan(_DIGITS)
        if self.i - start > MAX_NUMBER:
            message = f"a number has more than {MAX_NUMBER} characters"
            raise self.fail("number-too-long", message, start)
        return Token("num", self.text[start : self.i], start + 1)

    def string(self, quote: str) -> Token:
        start = self.i
        end = self.text.find(quote, start + 1)
        if end < 0:
            raise self.fail("syntax", "a quoted string is not closed", start)
        if end - start - 1 > MAX_STRING:
            message = f"a quoted string has more than {MAX_STRING} characters"
            raise self.fail("string-too-long", message, start)
        self.i = end + 1
        return Token("str", self.text[start + 1 : end], start + 1)

    def reference(self) -> Token:
        start = self.i
        if self.text[start : start + 2] == "${":
            self.i += 2
            name = self.scan(_NAME_CHARS)
            if name and self.text[self.i : self.i + 1] == "}":
                self.i += 1
                return Token("ref", name, start + 1)
        raise self.fail("syntax", "a question is written ${name}", start)

    def name(self) -> Token:
        start = self.i
        name = self.scan(_NAME_CHARS)
        after_operand = bool(self.tokens) and self.tokens[-1].kind in _OPERAND_END
        if after_operand:
            if name not in OPERATOR_NAMES:
                raise self.fail("syntax", f"expected an operator, found {name!r}", start)
            return Token("op", name, start + 1)
        self.scan(_SPACE)
        if self.text[self.i : self.i + 1] != "(":
            hint = "" if name in OPERATOR_NAMES else f" (a question is written ${{{name}}})"
            raise self.fail("syntax", f"unexpected name {name!r}{hint}", start)
        return Token("func", name, start + 1)


def tokenize(text: str, location: str = "") -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError("too-long", f"longer than {MAX_LENGTH} characters", None, location)
    return Lexer(text, location).run()
