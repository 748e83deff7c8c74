"""Benchmark: the results and cross-tab pages at 100,000 responses, beside the survey
(tallies) page as the baseline, for an admin and for a viewer.

    .venv/bin/python bench/admin_pages.py [--responses 100000]

Fills a temporary database with bench/tallies_export.py's `fill` (cmo: choices, a rating
matrix, comments) and as many responses to tests/results_questionnaires/study.yaml (a
number question besides), stored over the past 30 days through store.insert_many, then
times each page through logged-in test clients: the first request (a cross-tab is then
counted; later ones reuse it until a response is stored; a viewer's released set is
worked out once a day), then the median of 5 more, in wall time and in this process's
CPU time (SQLite runs in it too; on a shared machine the wall time also counts other
processes' turns). Prints the figures; asserts nothing but status 200.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from tallies_export import BATCH, fill  # noqa: E402

from bench import options  # noqa: E402
from surveyapp import SHIPPED_SURVEYS, create_app, store  # noqa: E402
from surveyapp.questionnaire.answers import counted_fields  # noqa: E402
from tests.adminkit import login, make_admin  # noqa: E402
from tests.test_results import STUDY, study_answers  # noqa: E402

PAGES = (
    ("survey page (baseline)", "/admin/surveys/cmo"),
    ("tallies.json (baseline)", "/admin/surveys/cmo/tallies.json"),
    ("results cmo", "/admin/surveys/cmo/results"),
    ("results study (histogram)", "/admin/surveys/study/results"),
    ("chart SVG (Likert)", "/admin/surveys/cmo/results/problems.svg"),
    ("chart SVG (histogram)", "/admin/surveys/study/results/hours.svg"),
    ("crosstab by edition", "/admin/surveys/cmo/crosstab?row=company_size&col=edition"),
    ("crosstab size x region", "/admin/surveys/cmo/crosstab?row=company_size&col=region"),
    (
        "crosstab item x item",
        "/admin/surveys/cmo/crosstab?row=problems-communicate&col=problems-timeframes",
    ),
    ("crosstab CSV", "/admin/surveys/cmo/crosstab.csv?row=company_size&col=region"),
    ("texts search, page 2", "/admin/surveys/cmo/results/comments/texts?search=late&page=2"),
)
ADMIN_ONLY = {"crosstab size x region", "crosstab item x item", "crosstab CSV",
              "texts search, page 2"}  # fmt: skip


def fill_study(app, total: int, seed: int = 11) -> None:
    definition = app.extensions["surveys"]["study"][2021]
    counted = counted_fields(definition)
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=30)
    db = store.thread_connection(app.config["DATABASE"])
    for first in range(0, total, BATCH):
        rows = []
        for n in range(first, min(first + BATCH, total)):
            when = start + timedelta(seconds=29 * 86400 * n / total)
            remarks = "fine" if rng.random() < 0.2 else None
            rows.append({
                "survey": "study", "edition": 2021, "version": definition.version,
                "answers": study_answers(rng, remarks), "counted": counted,
                "submitted_at": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            })  # fmt: skip
        store.insert_many(db, rows)


def timed(client, url: str, repeat: int = 5) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds of `repeat` requests, and the last status."""
    walls, cpus, status = [], [], 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        status = client.get(url).status_code
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus), status


def client_for(app, username: str, role: str):
    make_admin(app, username, role=role)
    client = app.test_client()
    login(client, username)
    return client


def main() -> None:
    args = options.parse(None, (("--responses", int, 100_000),))
    folder = tempfile.mkdtemp(prefix="surveyapp-bench-")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": f"{folder}/bench.db",
                      "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS), str(STUDY)]},
                     init_db=True)  # fmt: skip
    clients = {"admin": client_for(app, "ada", "admin"), "viewer": client_for(app, "vic", "viewer")}
    begin = time.perf_counter()
    fill(app, args.responses)
    fill_study(app, args.responses)
    took = time.perf_counter() - begin
    print(f"--- {args.responses:,} responses to cmo and as many to study (filled in {took:.1f} s);"
          " the first request, then the median of 5 more")  # fmt: skip
    for label, url in PAGES:
        for who, client in clients.items():
            if who == "viewer" and label in ADMIN_ONLY:
                continue
            first, first_cpu, _status = timed(client, url, 1)
            wall, cpu, status = timed(client, url)
            assert status == 200, (who, url, status)
            print(f"{label:27} {who:6} first {first:7.1f} ms (CPU {first_cpu:6.1f});"
                  f" then {wall:7.1f} ms (CPU {cpu:6.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
