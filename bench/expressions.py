"""What the expression language costs on the server: a page with 50 conditions.

    .venv/bin/python bench/expressions.py [--pages 2000]

Parses 50 typical conditions once, then evaluates all 50 (and their truth) page after
page, each page against the next of 10 respondents' answers, in batches of 100 pages.
Prints microseconds per page of 50 conditions (the target is 100 µs, 0.1 ms): the CPU
time this thread used (what a page costs; other processes on a shared machine do not
inflate it) and the wall time, each as median and best batch; and, for reference, the
one-off parse cost of the 50.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from surveyapp.questionnaire.expressions import evaluate, parse, truthy  # noqa: E402

TEMPLATES = [
    "selected(${{m{i}}}, 'b')",
    "${{s{i}}} = 'yes'",
    "${{n{i}}} > 10 and ${{t{i}}} != ''",
    "count-selected(${{m{i}}}) >= 2",
    "not(selected(${{m{i}}}, 'c')) or ${{s{i}}} = 'no'",
    "if(${{n{i}}} > 5, 1, 0) = 1",
    "regex(${{t{i}}}, '^[A-Z]{{2}}[0-9]+$')",
    "string-length(${{t{i}}}) <= 200",
    "coalesce(${{missing{i}}}, 'none') != 'none'",
    "int(${{n{i}}} div 7) mod 2 = 0",
]
BATCH = 100


def conditions() -> list[str]:
    return [TEMPLATES[k % 10].format(i=k // 10) for k in range(50)]


def answers(respondent: int = 0) -> dict[str, object]:
    found: dict[str, object] = {}
    codes = ["a", "b", "c", "d"][respondent % 4 :]
    for i in range(5):
        found |= {f"m{i}": codes, f"s{i}": ("yes", "no", "")[respondent % 3],
                  f"n{i}": str(respondent * 7 + i), f"t{i}": f"AB{respondent}{i}"}  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    pages = max(BATCH, parser.parse_args().pages)
    texts, respondents = conditions(), [answers(r) for r in range(10)]
    start = time.perf_counter()
    trees = [parse(text, location=f"bench[{k}]") for k, text in enumerate(texts)]
    parse_us = (time.perf_counter() - start) * 1e6
    shown = [sum(truthy(evaluate(tree, given)) for tree in trees) for given in respondents]
    cpu, wall = [], []
    for _batch in range(pages // BATCH):
        started, started_cpu = time.perf_counter(), time.thread_time()
        for page in range(BATCH):
            given = respondents[page % 10]
            for tree in trees:
                truthy(evaluate(tree, given))
        cpu.append((time.thread_time() - started_cpu) * 1e6 / BATCH)
        wall.append((time.perf_counter() - started) * 1e6 / BATCH)
    print(f"{len(trees)} conditions; true per respondent: {shown}; {len(cpu) * BATCH} pages")
    for name, values in (("CPU", cpu), ("wall", wall)):
        print(f"{name} per page of {len(trees)}: median {statistics.median(values):.1f} µs,"
              f" best {min(values):.1f} µs (target <= 100 µs)")  # fmt: skip
    print(f"parse the {len(trees)} once: {parse_us:.0f} µs")


if __name__ == "__main__":
    main()
