"""What scheduled editions add to every respondent request: the served edition read with
its schedule (one UNION query) against the statuses alone, as before schedules.

    .venv/bin/python bench/schedule_cost.py [--n 20000] [--rounds 3]

On a temporary database with the shipped questionnaires, times both lookups for `cmo`
in the same process, alternating, and prints the best of five per round in µs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from surveyapp import SHIPPED_SURVEYS, create_app, store  # noqa: E402
from surveyapp.store import editions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    settings = {"SECRET_KEY": "bench", "DATABASE": f"{folder}/bench.db",
                "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS)]}  # fmt: skip
    app = create_app(settings, init_db=True)
    db = store.thread_connection(app.config["DATABASE"])
    catalog = app.extensions["surveys"]

    def statuses_only():
        known = catalog.get("cmo", {})
        return known[editions.open_edition(known, editions.edition_statuses(db, "cmo"))]

    def with_schedules():
        return editions.open_definition(db, catalog, "cmo")

    assert statuses_only() is with_schedules()
    for _ in range(args.rounds):
        before = min(timeit.repeat(statuses_only, number=args.n, repeat=5)) / args.n * 1e6
        after = min(timeit.repeat(with_schedules, number=args.n, repeat=5)) / args.n * 1e6
        print(f"statuses only {before:.1f} µs, with schedules {after:.1f} µs "
              f"(+{after - before:.1f} µs per request)")  # fmt: skip


if __name__ == "__main__":
    main()
