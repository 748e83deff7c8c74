"""What counting submissions per address costs on the submit path, in one process.

    .venv/bin/python bench/throttle_cost.py [--n 300]

Submits the like-for-like questionnaire n times through Flask's test client with the
limit off (SUBMISSIONS_PER_ADDRESS=0) and on (a limit never reached), alternating
rounds, and prints the median milliseconds per submit of each.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import percentile  # noqa: E402
from targets import BENCH, answers  # noqa: E402

TOKENS = re.compile(r'name="(csrf_token|submission_key)"[^>]*?value="([^"]*)"')
ROUNDS = 5


def submit_ms(client, n: int) -> float:
    html = client.get("/s/bench").get_data(as_text=True)
    form = dict(TOKENS.findall(html)) | {"action": "submit"} | answers(n)
    start = time.perf_counter()
    status = client.post("/s/bench", data=form).status_code
    elapsed = (time.perf_counter() - start) * 1000
    if status != 302:
        raise SystemExit(f"submit answered {status}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    n = parser.parse_args().n
    from surveyapp import create_app

    timings: dict[str, list[float]] = {"limit off": [], "limit on": []}
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(BENCH / "like_for_like.yaml", Path(tmp) / "bench.yaml")
        apps = {
            name: create_app({"SECRET_KEY": "x", "DATABASE": f"{tmp}/t.db",
                              "SURVEY_FOLDERS": [tmp], "SUBMISSIONS_PER_ADDRESS": limit},
                              init_db=True)
            for name, limit in (("limit off", 0), ("limit on", 10**9))
        }  # fmt: skip
        for round_number in range(ROUNDS):
            for name, app in apps.items():
                client = app.test_client()
                for i in range(n // ROUNDS):
                    timings[name].append(submit_ms(client, round_number * n + i))
    for name, values in timings.items():
        print(f"{name}: {len(values)} submits, median {statistics.median(values):.2f} ms,"
              f" p95 {percentile(values, 95):.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
