"""What questionnaire logic costs the server on a page with 50 conditions.

    .venv/bin/python bench/logic_page.py [--pages 2000]

A definition is built with 20 profile questions on page 1 (multiple choice, single choice,
number, text) and 50 questions on page 2, each with a `relevant` rule (the ten kinds of
bench/expressions.py, on the page 1 answers). Then, page after page against the next of
10 respondents' answers, in batches of 100: `evaluate_state` (the logic the survey pages
run on every GET and post: all 70 fields walked, the 50 rules evaluated, answers of hidden
questions dropped) and `check_page` (a page 2 post as the view checks it: type checks of its
50 fields, the walk, required and constraint checks). For reference, `check_pages` (the
type checks alone, what a post cost before logic). Prints microseconds per page, CPU time
of this thread, median and best batch; the target for the logic is 100 µs (0.1 ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.expressions import TEMPLATES, answers  # noqa: E402
from surveyapp.questionnaire.answers import check_page, check_pages, stored_getlist  # noqa: E402
from surveyapp.questionnaire.loader import parse_definition  # noqa: E402
from surveyapp.questionnaire.logic import evaluate_state  # noqa: E402

BATCH = 100
HEAD = """id: bench_logic
title: Logic bench
audience: bench
edition: 2020
pages:
  - title: Profile
    questions:
"""
PROFILE = """      - {{id: m{i}, type: multiple_choice, text: M, required: "false", options: [{{code: a, label: A}}, {{code: b, label: B}}, {{code: c, label: C}}, {{code: d, label: D}}]}}
      - {{id: s{i}, type: single_choice, text: S, required: "false", options: [{{code: "yes", label: Y}}, {{code: "no", label: N}}]}}
      - {{id: n{i}, type: number, text: N, required: "false"}}
      - {{id: t{i}, type: short_text, text: T, required: "false"}}
"""  # noqa: E501
CONDITIONAL = """      - id: q{k}
        type: short_text
        text: Question {k}
        required: "false"
        relevant: "{rule}"
"""


def definition_text() -> str:
    rules = [TEMPLATES[k % 10].format(i=k // 10).replace("missing", "t") for k in range(50)]
    profile = "".join(PROFILE.format(i=i) for i in range(5))
    page2 = "".join(CONDITIONAL.format(k=k, rule=rule.replace('"', "'"))
                    for k, rule in enumerate(rules))  # fmt: skip
    return f"{HEAD}{profile}  - title: Conditions\n    questions:\n{page2}"


def timed(label: str, pages: int, run: Callable[[int], object]) -> None:
    cpu = []
    for _batch in range(pages // BATCH):
        started = time.thread_time()
        for page in range(BATCH):
            run(page)
        cpu.append((time.thread_time() - started) * 1e6 / BATCH)
    print(f"{label}: median {statistics.median(cpu):.1f} µs, best {min(cpu):.1f} µs (CPU)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    pages = max(BATCH, parser.parse_args().pages)
    definition = parse_definition(definition_text(), "bench_logic.yaml")
    respondents = [answers(r) | {f"q{k}": "x" for k in range(50)} for r in range(10)]
    posts = [stored_getlist(given) for given in respondents]
    shown = [50 - sum(f"q{k}" in evaluate_state(definition, g).hidden for k in range(50))
             for g in respondents]  # fmt: skip
    print(f"50 conditions on page 2; shown per respondent: {shown}; {pages} pages")
    timed("evaluate_state (the logic of a page, target <= 100 µs)", pages,
          lambda i: evaluate_state(definition, respondents[i % 10]))  # fmt: skip
    timed("check_page (a page 2 post: types, logic, required, constraints)", pages,
          lambda i: check_page(definition, 2, posts[i % 10], respondents[i % 10]))  # fmt: skip
    timed("check_pages (type checks alone, as before logic)", pages,
          lambda i: check_pages([definition.pages[1]], posts[i % 10]))  # fmt: skip


if __name__ == "__main__":
    main()
