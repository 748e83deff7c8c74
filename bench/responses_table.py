"""Benchmark: the admin responses table over 100,000 stored responses.

    .venv/bin/python bench/responses_table.py [--responses 100000] [--requests 30] [--keep DIR]

Fills a temporary database with bench.tallies_export.fill (the storage write path:
counters and the search index included), then requests each view of the table through a
logged-in test client `--requests` times after one warm-up request, and prints p50 and p95
next to the plain table page (the baseline) measured in the same run. The target is the
search with two answer filters at or under 300 ms. Prints the figures; asserts nothing
but that each page answered 200.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.adminkit (log-in helper) when run as a script

from bench import options  # noqa: E402
from bench.loadgen import percentile  # noqa: E402
from bench.tallies_export import bench_app, fill  # noqa: E402
from tests.adminkit import admin_client  # noqa: E402

URL = "/admin/surveys/cmo/responses"
TWO_FILTERS = "answer=region=europe&answer=company_size=small"
VIEWS = (
    ("plain table (baseline)", ""),
    ("search 'slow'", "q=slow"),
    ("two answer filters", TWO_FILTERS),
    ("search + two filters", f"q=slow&{TWO_FILTERS}"),
    ("search + two filters + time", f"q=slow&{TWO_FILTERS}&since=2000-01-01"),
    ("search + two filters, rare word", f"q=zurich&{TWO_FILTERS}"),
    ("sorted by a column", "sort=company_size&dir=asc"),
    ("excluded responses", "show=excluded"),
)


def sample(client, url: str, requests: int) -> list[float]:
    """Seconds per request: one warm-up, then `requests` timed ones."""
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        begin = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - begin)
        assert response.status_code == 200, url
    return times


def report(client, requests: int) -> None:
    baseline = None
    print(f"{'view':36} {'p50 ms':>8} {'p95 ms':>8} {'p50 / baseline':>15}")
    for label, query in VIEWS:
        times = sample(client, f"{URL}?{query}", requests)
        p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
        baseline = baseline or p50
        print(f"{label:36} {p50:8.1f} {p95:8.1f} {p50 / baseline:14.2f}x")
    second = client.get(f"{URL}?q=slow&{TWO_FILTERS}").text
    start = second.find('rel="next" href="')
    if start >= 0:
        link = second[start + 17 : second.index('"', start + 17)].replace("&amp;", "&")
        times = sample(client, link, requests)
        print(f"{'search + two filters, next page':36} {percentile(times, 50) * 1000:8.1f}"
              f" {percentile(times, 95) * 1000:8.1f}")  # fmt: skip


def main() -> None:
    table = (("--responses", int, 100_000), ("--requests", int, 30),
             ("--keep", None, None, "directory for the database (default: temporary)"))  # fmt: skip
    args = options.parse(None, table)
    folder = args.keep or tempfile.mkdtemp(prefix="surveyapp-bench-")
    app = bench_app(folder)
    begin = time.perf_counter()
    fill(app, args.responses)
    print(f"--- {args.responses:,} responses (filled in {time.perf_counter() - begin:.1f} s),"
          f" {args.requests} requests per view")  # fmt: skip
    report(admin_client(app), args.requests)


if __name__ == "__main__":
    main()
