"""Benchmark: segment-filtered tallies, trends and the report pages over many responses.

    .venv/bin/python bench/segments_reports.py [--responses 20000]

Fills a temporary database with bench/tallies_export.py's `fill` (the storage write
path), then times, through a logged-in test client, the tallies page unfiltered (counters)
and filtered by one and two profile answers (GROUP BY over `answers`), trends.json
unfiltered and filtered, the trends page, the compare page and the printable report.
Prints the figures; asserts nothing.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from tallies_export import bench_app, fill_in_two, timed  # noqa: E402

from bench import options  # noqa: E402
from tests.adminkit import admin_client  # noqa: E402

URLS = (
    ("tallies page, unfiltered (counters)", "/admin/surveys/cmo"),
    ("tallies page, company_size=small", "/admin/surveys/cmo?company_size=small"),
    ("tallies.json, small + europe",
     "/admin/surveys/cmo/tallies.json?company_size=small&region=europe"),
    ("trends.json, unfiltered", "/admin/surveys/cmo/trends.json"),
    ("trends.json, region=asia", "/admin/surveys/cmo/trends.json?region=asia"),
    ("trends page, unfiltered", "/admin/surveys/cmo/trends"),
    ("compare page /admin/compare/2012", "/admin/compare/2012"),
    ("report page /admin/report/2012", "/admin/report/2012"),
)  # fmt: skip


def report(client, count: int) -> None:
    print(f"--- {count:,} responses")
    for label, url in URLS:
        took, response = timed(lambda url=url: client.get(url), 3)
        assert response.status_code == 200, (url, response.status_code)
        print(f"{label:40} median {took * 1000:8.1f} ms")


def main() -> None:
    args = options.parse(None, (("--responses", int, 20_000),))
    app = bench_app(tempfile.mkdtemp(prefix="surveyapp-bench-"))
    client = admin_client(app)
    fill_in_two(app, args.responses, lambda count: report(client, count))


if __name__ == "__main__":
    main()
