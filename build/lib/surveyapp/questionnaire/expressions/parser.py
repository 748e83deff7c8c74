"""Tokens to tree: XPath 1.0 precedence (or < and < equality < relational < additive <
multiplicative < unary minus), operators of one level left-associative."""

from __future__ import annotations

from collections.abc import Callable

import re2

from surveyapp.questionnaire.expressions.functions import (
    FUNCTIONS,
    arity_text,
    compile_pattern,
)
from surveyapp.questionnaire.expressions.lexer import (
    MAX_DEPTH,
    MAX_PATTERN,
    ExpressionError,
    Token,
    tokenize,
)
from surveyapp.questionnaire.expressions.nodes import (
    And,
    Call,
    Chain,
    Dot,
    Literal,
    Negate,
    Node,
    Or,
    Ref,
)

LEVELS = (("=", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "div", "mod"))
_DESCRIBED = {"end": "the end of the expression", "num": "a number", "str": "a quoted string",
              "ref": "a question", "dot": "'.'", "func": "a function"}  # fmt: skip
_PRIMARY = frozenset({"num", "str", "ref", "dot", "func", "("})


class Parser:
    def __init__(self, tokens: list[Token], location: str):
        self.tokens, self.location = tokens, location
        self.i = self.depth = 0

    def fail(self, kind: str, message: str, at: int) -> ExpressionError:
        return ExpressionError(kind, message, at, self.location)

    @property
    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        self.i += 1
        return self.tokens[self.i - 1]

    def unexpected(self) -> ExpressionError:
        token = self.peek
        what = _DESCRIBED.get(token.kind, repr(token.text))
        return self.fail("syntax", f"did not expect {what}", token.at)

    def expect(self, kind: str) -> Token:
        if self.peek.kind != kind:
            raise self.unexpected()
        return self.take()

    def enter(self, at: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("too-deep", f"nested deeper than {MAX_DEPTH} levels", at)

    def whole(self) -> Node:
        tree = self.expression()
        if self.peek.kind != "end":
            raise self.unexpected()
        return tree

    def expression(self) -> Node:
        return self.logic("or", Or, lambda: self.logic("and", And, lambda: self.chain(0)))

    def logic(self, word: str, node: Callable[[tuple[Node, ...]], Node], operand) -> Node:
        operands = [operand()]
        while self.peek.kind == "op" and self.peek.text == word:
            self.take()
            operands.append(operand())
        return node(tuple(operands)) if len(operands) > 1 else operands[0]

    def chain(self, level: int) -> Node:
        if level == len(LEVELS):
            return self.unary()
        first = self.chain(level + 1)
        steps = []
        while self.peek.kind == "op" and self.peek.text in LEVELS[level]:
            operator = self.take().text
            steps.append((operator, self.chain(level + 1)))
        return Chain(first, tuple(steps)) if steps else first

    def unary(self) -> Node:
        if self.peek.kind == "op" and self.peek.text == "-":
            at = self.take().at
            self.enter(at)
            node = Negate(self.unary(), at)
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.peek
        if token.kind not in _PRIMARY:
            raise self.unexpected()
        self.take()
        if token.kind == "num":
            return Literal(float(token.text), token.at)
        if token.kind == "str":
            return Literal(token.text, token.at)
        if token.kind == "ref":
            return Ref(token.text, token.at)
        if token.kind == "dot":
            return Dot(token.at)
        if token.kind == "(":
            self.enter(token.at)
            node = self.expression()
            self.expect(")")
            self.depth -= 1
            return node
        return self.call(token)

    def call(self, name: Token) -> Node:
        function = FUNCTIONS.get(name.text)
        if function is None:
            raise self.fail("unknown-function", f"unknown function {name.text!r}", name.at)
        self.enter(name.at)
        self.expect("(")
        args = [] if self.peek.kind == ")" else [self.expression()]
        while self.peek.kind == ",":
            self.take()
            args.append(self.expression())
        self.expect(")")
        self.depth -= 1
        count = len(args)
        if count < function.least or (function.most is not None and count > function.most):
            message = f"{name.text}() takes {arity_text(function)}, not {count}"
            raise self.fail("arity", message, name.at)
        return Call(name.text, tuple(args), name.at, function.run, self.pattern(name, args))

    def pattern(self, name: Token, args: list[Node]) -> object:
        if name.text != "regex":
            return None
        pattern = args[1]
        if not isinstance(pattern, Literal) or not isinstance(pattern.constant, str):
            raise self.fail("regex", "regex() takes its pattern as a quoted string", name.at)
        if len(pattern.constant) > MAX_PATTERN:
            message = f"a regex() pattern has more than {MAX_PATTERN} characters"
            raise self.fail("regex", message, name.at)
        try:
            return compile_pattern(pattern.constant)
        except UnicodeEncodeError:
            raise self.fail("regex", "regex() pattern is not valid text", name.at) from None
        except re2.error as exc:
            reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
            raise self.fail("regex", f"regex() pattern refused: {reason}", name.at) from None


def parse_tokens(text: str, location: str) -> Node:
    return Parser(tokenize(text, location), location).whole()
