"""What the per-request catalogue check costs: one indexed SELECT of the generation.

    .venv/bin/python bench/catalog_check.py [--n 20000]

On a temporary database holding the shipped questionnaires, times LiveCatalog.current()
when nothing changed (the cost every request pays), then a rebuild after a publish
(the cost each worker pays once per change), and prints microseconds per call.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from surveyapp import SHIPPED_SURVEYS, store  # noqa: E402
from surveyapp.exchange.definition_files import import_files  # noqa: E402
from surveyapp.store import definitions, schema  # noqa: E402
from surveyapp.store.catalogue import LiveCatalog  # noqa: E402

ROUNDS = 5


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = store.connect(Path(tmp) / "bench.db")
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


if __name__ == "__main__":
    main()
