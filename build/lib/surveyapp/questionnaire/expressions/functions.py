"""The functions of the language: arity and implementation, and regex() patterns."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

import re2

from surveyapp.questionnaire.expressions.nodes import Call, Env
from surveyapp.questionnaire.expressions.values import (
    SPACE,
    Value,
    in_list,
    integer,
    list_items,
    to_boolean,
    to_number,
    to_string,
)


class Function(NamedTuple):
    least: int
    most: int | None  # None: any number
    run: Callable[[Call, Env], Value]


def _selected(call: Call, env: Env) -> Value:
    code = to_string(call.args[1].value(env)).strip(SPACE)
    return in_list(call.args[0].value(env), code)


def _regex(call: Call, env: Env) -> Value:
    # "replace": a lone surrogate has no UTF-8 form; it becomes "?" instead of an error.
    text = to_string(call.args[0].value(env)).encode("utf-8", "replace")
    return call.pattern.search(text) is not None


def _if(call: Call, env: Env) -> Value:
    condition, then, otherwise = call.args
    return (then if to_boolean(condition.value(env)) else otherwise).value(env)


def _coalesce(call: Call, env: Env) -> Value:
    first = call.args[0].value(env)
    return first if first != "" else call.args[1].value(env)


def _today(call: Call, env: Env) -> Value:
    return env.today_text()


def _concat(call: Call, env: Env) -> Value:
    return "".join(to_string(arg.value(env)) for arg in call.args)


def _one(convert: Callable[[Value], Value]) -> Callable[[Call, Env], Value]:
    def run(call: Call, env: Env) -> Value:
        return convert(call.args[0].value(env))

    return run


# Keyword form: tests/test_type_names.py flags a quoted question-type name, and
# one of the functions is named like a question type.
FUNCTIONS: dict[str, Function] = dict(
    selected=Function(2, 2, _selected),
    regex=Function(2, 2, _regex),
    coalesce=Function(2, 2, _coalesce),
    number=Function(1, 1, _one(to_number)),
    int=Function(1, 1, _one(lambda v: integer(to_number(v)))),
    today=Function(0, 0, _today),
    true=Function(0, 0, lambda call, env: True),
    false=Function(0, 0, lambda call, env: False),
    string=Function(1, 1, _one(to_string)),
    concat=Function(1, None, _concat),
    **{
        "count-selected": Function(1, 1, _one(lambda v: float(len(list_items(v))))),
        "string-length": Function(1, 1, _one(lambda v: float(len(to_string(v))))),
        "if": Function(3, 3, _if),
        "not": Function(1, 1, _one(lambda v: not to_boolean(v))),
    },
)


def arity_text(function: Function) -> str:
    if function.most is None:
        return f"at least {function.least} argument" + ("s" if function.least != 1 else "")
    count = function.least
    return f"{count} argument" + ("s" if count != 1 else "")


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> object:
    """The pattern compiled by re2 (linear time) to search UTF-8 bytes; raise re2.error if
    re2 refuses it, UnicodeEncodeError if it is not valid text."""
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    return re2.compile(pattern.encode("utf-8"), options)
