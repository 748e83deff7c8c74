"""Load: 32 respondents walk whole questionnaires against `surveyapp serve` while 20
admin pages poll, then the database is checked against what clients were told.

    .venv/bin/python bench/load.py [--seconds 60] [--respondents 32] [--admins 20]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Load  # noqa: E402
from bench.report import check_database, report  # noqa: E402
from bench.server import Server  # noqa: E402

P99_TARGET_MS = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--respondents", type=int, default=32)
    parser.add_argument("--admins", type=int, default=20)
    parser.add_argument(
        "--think", type=float, default=0.0,
        help="mean seconds a respondent reads each page before posting (0: as fast as possible)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()

    with Server(workers=args.workers or os.cpu_count() or 1, threads=args.threads) as server:
        print(f"server {server.base}: {server.workers} workers x {server.threads} threads")
        load = Load(
            server.base, args.seconds, args.respondents, args.admins, think=args.think
        ).run()
        server.stop()
        checks = check_database(server.database, load.outcomes)
    report(load, checks)
    slow = [
        step for step, row in load.stats.percentiles().items()
        if row["p99"] >= P99_TARGET_MS and step != "admin login"  # a deliberately slow hash
    ]  # fmt: skip
    failed = (
        checks["lost"] or checks["duplicate keys"] or checks["counter mismatches"]
        or checks["rows"] != checks["thanks"] or checks["integrity"] != "ok"
        or load.stats.server_errors() or slow
    )  # fmt: skip
    print(f"targets: p99 < {P99_TARGET_MS} ms {'missed by ' + ', '.join(slow) if slow else 'met'};"
          f" verdict {'FAIL' if failed else 'PASS'}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
