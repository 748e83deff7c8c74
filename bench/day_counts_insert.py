"""Benchmark: what the kept-day triggers (store/migrations/adminperf.py) cost a respondent's
submission (store.insert_response, the live insert).

    PYTHONPATH=$PWD .venv/bin/python bench/day_counts_insert.py [--responses 20000] [--n 2000]

Fills a temporary database with bench/tallies_export.py's `fill` over the past 30 days and
keeps every day's counts (a time range and a segment), then stores `--n` cmo responses
one by one, alternating blocks of 100 with the triggers in place and with them dropped,
so both halves share the machine's load. Prints median wall and CPU time per submission.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from tallies_export import bench_app, fill  # noqa: E402

from bench import options  # noqa: E402
from surveyapp import store  # noqa: E402
from surveyapp.questionnaire.answers import counted_fields  # noqa: E402
from surveyapp.store import daycounts  # noqa: E402
from surveyapp.store.filters import parse_filters  # noqa: E402
from surveyapp.store.migrations.adminperf import triggers  # noqa: E402
from tests.adminkit import cmo  # noqa: E402

BLOCK = 100


def set_triggers(db, on: bool) -> None:
    for statement in triggers():
        name = statement.split()[2]
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        if on:
            db.execute(statement)
    db.conn.commit()


def main() -> None:
    args = options.parse(None, (("--responses", int, 20_000), ("--n", int, 2_000)))
    app = bench_app(tempfile.mkdtemp(prefix="surveyapp-bench-"))
    fill(app, args.responses)
    db = store.thread_connection(app.config["DATABASE"])
    for segment in (None, {"region": "europe"}):
        daycounts.range_counts(db, "cmo", parse_filters(since="2000-01-01"), segment)
    definition = app.extensions["surveys"]["cmo"][2012]
    counted = counted_fields(definition)
    times: dict[bool, tuple[list[float], list[float]]] = {True: ([], []), False: ([], [])}
    for block in range(args.n // BLOCK):
        on = block % 2 == 0
        set_triggers(db, on)
        for _ in range(BLOCK):
            wall, cpu = time.perf_counter(), time.process_time()
            store.insert_response(db, survey="cmo", edition=2012, version=definition.version,
                                  answers=cmo(), counted=counted)  # fmt: skip
            times[on][0].append(time.perf_counter() - wall)
            times[on][1].append(time.process_time() - cpu)
    set_triggers(db, True)
    print(f"--- {args.responses:,} responses, every past day kept; {args.n} submissions")
    for on, (walls, cpus) in times.items():
        print(f"triggers {'on ' if on else 'off'}: median {1000 * statistics.median(walls):6.3f} ms"
              f" (CPU {1000 * statistics.median(cpus):6.3f} ms) a submission")  # fmt: skip


if __name__ == "__main__":
    main()
