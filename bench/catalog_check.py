"""What the per-request catalogue check costs: one indexed SELECT of the generation.

    .venv/bin/python bench/catalog_check.py [--n 20000] [--walks 300]

On a temporary database holding the shipped questionnaires, times LiveCatalog.current()
when nothing changed (the cost every request pays), then a rebuild after a publish
(the cost each worker pays once per change). Then the respondent hot path (GET the
like-for-like form, POST it) through Flask's test client with the check and without it
(the app's live catalogue taken out), alternating rounds: median ms of each.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.targets import BENCH, answers  # noqa: E402
from surveyapp import SHIPPED_SURVEYS, create_app, store  # noqa: E402
from surveyapp.exchange.definition_files import import_files  # noqa: E402
from surveyapp.store import audit, definitions, schema  # noqa: E402
from surveyapp.store.catalogue import LiveCatalog  # noqa: E402

ROUNDS = 5
TOKENS = re.compile(r'name="(csrf_token|submission_key|definition_version)"[^>]*?value="([^"]*)"')


def per_check_us(live: LiveCatalog, db, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        live.current(db)
    return (time.perf_counter() - start) / n * 1e6


def rebuild_ms(live: LiveCatalog, db, text: str, n: int) -> float:
    """A publish (another process's, as far as this catalogue knows), then one current()."""
    times = []
    for i in range(n):
        definitions.publish(db, text.replace("edition: 2012", f"edition: {3000 + i}"), "b", "bench")
        start = time.perf_counter()
        live.current(db)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def walk_ms(client, n: int) -> float:
    start = time.perf_counter()
    html = client.get("/s/bench").get_data(as_text=True)
    form = dict(TOKENS.findall(html)) | {"action": "submit"} | answers(n)
    if client.post("/s/bench", data=form).status_code != 302:
        raise SystemExit("the submit was refused")
    return (time.perf_counter() - start) * 1000


def hot_path(walks: int) -> None:
    """Walks with the per-request check and without it, alternating rounds."""
    timings: dict[str, list[float]] = {"with the check": [], "without it": []}
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(BENCH / "like_for_like.yaml", Path(tmp) / "bench.yaml")
        apps = {name: create_app({"SECRET_KEY": "x", "DATABASE": f"{tmp}/{i}.db",
                                  "SURVEY_FOLDERS": [tmp], "SUBMISSIONS_PER_ADDRESS": 0},
                                 init_db=True)
                for i, name in enumerate(timings)}  # fmt: skip
        apps["without it"].extensions.pop("live_catalog")
        for round_number in range(ROUNDS):
            for name, app in apps.items():
                client = app.test_client()
                for i in range(walks // ROUNDS):
                    timings[name].append(walk_ms(client, round_number * walks + i))
        store.close_thread_connections()
    for name, values in timings.items():
        print(
            f"hot path (GET form + POST submit) {name}: {len(values)} walks,"
            f" median {statistics.median(values):.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--walks", type=int, default=300)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = store.connect(Path(tmp) / "bench.db", create=True)
        audit.register_key(Path(tmp) / "bench.db", "bench")
        schema.init_db(db)
        import_files(db, [SHIPPED_SURVEYS])
        live = LiveCatalog()
        live.current(db)
        checks = [per_check_us(live, db, options.n) for _ in range(ROUNDS)]
        print(f"check when nothing changed: median {statistics.median(checks):.2f} µs"
              f" (rounds: {', '.join(f'{c:.2f}' for c in checks)}; target <= 50 µs)")  # fmt: skip
        text = (SHIPPED_SURVEYS / "cmo.yaml").read_text(encoding="utf-8")
        ms = rebuild_ms(live, db, text, 20)
        print(
            f"check and rebuild after a publish: median {ms:.2f} ms"
            f" ({len(list(live.current(db).definitions()))} current definitions)"
        )
        db.close()
    hot_path(options.walks)


if __name__ == "__main__":
    main()
