"""Benchmark: the default test run against the suite as it was at an earlier commit, like
for like: the tests both suites hold (same node ids), each run with `pytest -n 2` on its
own code, alternately, on this machine.

    .venv/bin/python bench/suite_speed.py [--base e8331e5] [--rounds 2]

Checks the base commit out in a temporary git worktree, collects the node ids of both
suites (`pytest --collect-only -q`), and runs, `rounds` times, this checkout's run of the
shared ids (in scripts/test's environment: compiled modules cached) and the base's own
default run (its `scripts/test` had no such setting). Both use this checkout's .venv; the
PostgreSQL half is left out (the base had none). Prints wall and CPU seconds (user + sys
of pytest and every child it waited for) of each run and the change. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
NODE = re.compile(r"^tests/\S.*::.+$")


def environment(root: Path, cached: bool) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(root), "SURVEYAPP_TEST_POSTGRES": "no"}
    if cached:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def node_ids(root: Path) -> list[str]:
    done = subprocess.run(
        [PYTHON, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=root, env=environment(root, False), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [line for line in done.stdout.splitlines() if NODE.match(line)]


def timed(root: Path, args: list[str], cached: bool) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of pytest and its children, pytest's last line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", *args],
        cwd=root, env=environment(root, cached), capture_output=True, text=True,
    )  # fmt: skip
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
    return wall, cpu, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="e8331e5")
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="suite-base-") as folder:
        base = Path(folder) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), options.base],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
        try:
            compare(base, options.rounds, options.base)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT,
                           check=False, capture_output=True)  # fmt: skip


def compare(base: Path, rounds: int, name: str) -> None:
    old = node_ids(base)
    shared = sorted(set(old) & set(node_ids(ROOT)))
    print(f"{name}: {len(old)} tests; this checkout holds {len(shared)} of them")
    ids = Path(base.parent) / "shared-ids.txt"
    ids.write_text("\n".join(shared) + "\n", encoding="utf-8")
    totals = {"new": [0.0, 0.0], "old": [0.0, 0.0]}
    for round_ in range(1, rounds + 1):
        for label, root, args, cached in (("new", ROOT, [f"@{ids}"], True),
                                          ("old", base, [], False)):  # fmt: skip
            wall, cpu, last = timed(root, args, cached)
            totals[label][0] += wall
            totals[label][1] += cpu
            print(f"round {round_} {label}: {wall:6.1f} s wall {cpu:6.1f} s CPU  ({last})")
    (new_wall, new_cpu), (old_wall, old_cpu) = totals["new"], totals["old"]
    print(f"all rounds: wall {new_wall:.1f} s against {old_wall:.1f} s "
          f"({1 - new_wall / old_wall:.0%} less), CPU {new_cpu:.1f} s against "
          f"{old_cpu:.1f} s ({1 - new_cpu / old_cpu:.0%} less)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
