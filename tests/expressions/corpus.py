"""Load the corpus and run a case through the Python evaluator, in the corpus's encoding:
strings, booleans and finite numbers as JSON; NaN and the infinities as {"number": "NaN"};
an error as {"error": kind, "at": position or null}."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from surveyapp.questionnaire.expressions import ExpressionError, evaluate, parse

CORPUS = Path(__file__).with_name("corpus.json")


def load() -> dict[str, Any]:
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        sign = "" if value > 0 else "-"
        return {"number": "NaN" if math.isnan(value) else f"{sign}Infinity"}
    return value


def answers_of(corpus: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    return corpus["answer_sets"][case["answers"]]


def run_python(corpus: dict[str, Any], case: dict[str, Any]) -> Any:
    try:
        tree = parse(case["expression"], location="corpus")
        answers = answers_of(corpus, case)
        return encode(evaluate(tree, answers, case["current"], corpus["today"]))
    except ExpressionError as exc:
        return {"error": exc.kind, "at": exc.at}


def same(a: Any, b: Any) -> bool:
    """Equal in value and in type (True is not 1, 1 is 1.0, -0.0 is 0.0)."""
    return _typed(a) == _typed(b)


def _typed(value: Any) -> Any:
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, dict):
        return ("tagged", sorted(value.items()))
    return (type(value).__name__, value)
