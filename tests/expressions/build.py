"""Write tests/expressions/corpus.json from the case modules beside this file.

Run from the repository root: python -m tests.expressions.build
"""

from __future__ import annotations

import json

from tests.expressions import cases_core, cases_functions, cases_hostile
from tests.expressions.corpus import CORPUS

NOTES = (
    "Each case: expression, answers (field -> value; lists for multiple choice), current (the "
    "answer '.' stands for), expected: a string, boolean or finite number; NaN and the "
    "infinities as {'number': 'NaN' | 'Infinity' | '-Infinity'}; a definition error as "
    "{'error': kind, 'at': 1-based character or null}. answers names one of answer_sets. "
    "today() is 'today'. Regex patterns "
    "whose meaning differs between RE2 and JavaScript are left out (see the docstring of "
    "surveyapp/questionnaire/expressions)."
)


def build() -> dict:
    cases = cases_core.cases() + cases_functions.cases() + cases_hostile.cases()
    for number, case in enumerate(cases, 1):
        case["id"] = number
    answer_sets = {"base": cases_core.ANSWERS, "hostile": cases_hostile.HOSTILE_ANSWERS, "none": {}}
    return {"today": cases_functions.TODAY, "notes": NOTES, "answer_sets": answer_sets,
            "cases": cases}  # fmt: skip


def text(corpus: dict) -> str:
    """One case per line, so a diff shows which cases changed."""
    head = {key: value for key, value in corpus.items() if key != "cases"}
    lines = [json.dumps(case, ensure_ascii=False) for case in corpus["cases"]]
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    return opening + ',\n "cases": [\n' + ",\n".join(lines) + "\n]}\n"


if __name__ == "__main__":
    corpus = build()
    CORPUS.write_text(text(corpus), encoding="utf-8")
    print(f"{len(corpus['cases'])} cases written to {CORPUS}")
