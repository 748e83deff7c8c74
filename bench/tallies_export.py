"""Benchmark: tallies page and full exports over 100,000 stored responses.

    .venv/bin/python bench/tallies_export.py [--responses 100000] [--keep DIR]

Fills a temporary database through db.insert_many (the storage write path, counters
included), then times the tallies page and JSON through a logged-in test client, a
full CSV export (time to first chunk, total, peak Python memory with tracemalloc),
JSON Lines and XLSX exports, and verify-tallies. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.adminkit (log-in helper) when run as a script

from bench import options  # noqa: E402
from surveyapp import create_app, store  # noqa: E402
from surveyapp.figures import tallies  # noqa: E402
from surveyapp.questionnaire.answers import counted_fields  # noqa: E402
from tests.adminkit import admin_client  # noqa: E402

BATCH = 5_000


def fill(app, total: int, seed: int = 7) -> None:
    definition = app.extensions["surveys"]["cmo"][2012]
    counted = counted_fields(definition)
    rng = random.Random(seed)
    scale = ["very_common", "somewhat_common", "rare", "not_a_problem"]
    items = [item.code for item in definition.question("problems").items]
    start = datetime.now(UTC) - timedelta(days=30)
    db = store.thread_connection(app.config["DATABASE"])
    done = 0
    while done < total:
        rows = []
        for n in range(done, min(done + BATCH, total)):
            answers = {
                "company_size": rng.choice(["small", "medium", "large"]),
                "region": rng.choice(["north_america", "europe", "asia", "other"]),
            }
            answers |= {f"problems-{i}": rng.choices(scale, (4, 3, 2, 1))[0] for i in items}
            if rng.random() < 0.3:
                answers["comments"] = rng.choice(['Slow, "late" hand-off', "=1+1", "Zürich ok"])
            when = start + timedelta(seconds=30 * 86400 * n / total)
            rows.append({
                "survey": "cmo", "edition": 2012, "version": definition.version,
                "answers": answers, "counted": counted,
                "submitted_at": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            })  # fmt: skip
        store.insert_many(db, rows)
        done += len(rows)


def timed(func, repeat: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        begin = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - begin)
    return statistics.median(times), result


def drain(client, url: str) -> tuple[float, float, int]:
    """(seconds to first chunk, total seconds, bytes) of a streamed download."""
    begin = time.perf_counter()
    response = client.get(url)
    first, size = None, 0
    for chunk in response.response:
        if first is None:
            first = time.perf_counter() - begin
        size += len(chunk)
    response.close()
    return first or 0.0, time.perf_counter() - begin, size


def peak_mib(client, url: str) -> float:
    tracemalloc.start()
    drain(client, url)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def report(app, client, count: int) -> None:
    print(f"--- {count:,} responses")
    page, html = timed(lambda: client.get("/admin/surveys/cmo"))
    assert html.status_code == 200
    print(f"tallies page  /admin/surveys/cmo        median {page * 1000:7.1f} ms")
    js, _ = timed(lambda: client.get("/admin/surveys/cmo/tallies.json"))
    print(f"tallies.json                             median {js * 1000:7.1f} ms")
    etag = client.get("/admin/surveys/cmo?partial=1").headers["ETag"]
    poll, _ = timed(
        lambda: client.get("/admin/surveys/cmo?partial=1", headers={"If-None-Match": etag})
    )
    print(f"live poll answered 304                   median {poll * 1000:7.1f} ms")
    dash, _ = timed(lambda: client.get("/admin/"))
    print(f"dashboard /admin                         median {dash * 1000:7.1f} ms")
    half = (datetime.now(UTC) - timedelta(days=15)).strftime("%Y-%m-%d")
    for label, since in (("all responses in range", "2000-01-01"), ("half in range", half)):
        took, _ = timed(lambda since=since: client.get(f"/admin/surveys/cmo?since={since}"), 3)
        print(f"tallies page, time filter, {label:22} median {took * 1000:7.1f} ms")
    for fmt in ("csv", "jsonl", "xlsx", "xlsx?labels=1"):
        first, total, size = drain(client, f"/admin/surveys/cmo/export.{fmt}")
        peak = peak_mib(client, f"/admin/surveys/cmo/export.{fmt}")
        print(f"export.{fmt:13} first chunk {first * 1000:7.1f} ms, total {total:6.2f} s"
              f" ({count / total:7,.0f} rows/s), {size / 2**20:6.1f} MiB,"
              f" peak Python memory {peak:5.2f} MiB")  # fmt: skip
    db = store.thread_connection(app.config["DATABASE"])
    begin = time.perf_counter()
    problems = tallies.verify_tallies(db, app.extensions["surveys"])
    print(f"verify-tallies {time.perf_counter() - begin:6.2f} s, {len(problems)} difference(s)")


def bench_app(folder: str) -> Flask:
    """A testing app over a new database `folder`/bench.db."""
    return create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": f"{folder}/bench.db"},
                      init_db=True)  # fmt: skip


def fill_in_two(app: Flask, count: int, report_at: Callable[[int], None]) -> None:
    """A tenth of `count` responses, `report_at` that many; the rest, `report_at(count)`."""
    small = max(count // 10, 1)
    begin = time.perf_counter()
    fill(app, small)
    report_at(small)
    fill(app, count - small, seed=8)
    print(f"(filled {count:,} responses in {time.perf_counter() - begin:.1f} s)")
    report_at(count)


def main() -> None:
    table = (("--responses", int, 100_000),
             ("--keep", None, None, "directory for the database (default: temporary)"))  # fmt: skip
    args = options.parse(None, table)
    folder = args.keep or tempfile.mkdtemp(prefix="surveyapp-bench-")
    app = bench_app(folder)
    client = admin_client(app)
    fill_in_two(app, args.responses, lambda count: report(app, client, count))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = Path(folder, "bench.db").stat().st_size / 2**20
    print(f"process max RSS {rss:.0f} MiB; database {size:.0f} MiB")


if __name__ == "__main__":
    main()
