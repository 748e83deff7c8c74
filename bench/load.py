"""Load: 32 respondents walk whole questionnaires against `surveyapp serve` while 20
admin pages poll, then the database is checked against what clients were told.

    .venv/bin/python bench/load.py [--seconds 60] [--respondents 32] [--admins 20]
    .venv/bin/python bench/load.py --postgres [--instances 2] ...

--postgres: the instances (each with --workers workers) on one throw-away PostgreSQL
database, behind nginx (deploy/two-hosts/nginx.conf for two; bench/postgres.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Load  # noqa: E402
from bench.postgres import Postgres, instances_on_postgres  # noqa: E402
from bench.report import NO_FILE, check_database, report  # noqa: E402
from bench.server import Server  # noqa: E402

P99_TARGET_MS = 500


def options() -> argparse.Namespace:
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
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL, behind nginx")
    parser.add_argument("--instances", type=int, default=2, help="--postgres: app instances")
    return parser.parse_args()


@contextlib.contextmanager
def serving(args: argparse.Namespace, workers: int) -> Iterator[tuple[str, list[Server], str]]:
    """(base URL, servers, database): one server on its SQLite file, or --instances on one
    PostgreSQL database behind nginx."""
    if not args.postgres:
        with Server(workers=workers, threads=args.threads) as server:
            yield server.base, [server], str(server.database)
        return
    with Postgres() as cluster:
        url = cluster.database("bench")
        with instances_on_postgres(url, args.instances, workers, args.threads) as (servers, nginx):
            yield nginx.base, servers, url


def main() -> int:
    args = options()
    workers = args.workers or os.cpu_count() or 1
    with serving(args, workers) as (base, servers, database):
        print(f"{base}: {len(servers)} server(s) x {workers} workers x {args.threads} threads"
              f" on {database}")  # fmt: skip
        load = Load(base, args.seconds, args.respondents, args.admins, think=args.think).run()
        for server in servers:
            server.stop()
        checks = check_database(database, load.outcomes, servers[0].audit_key())
    report(load, checks)
    slow = [
        step for step, row in load.stats.percentiles().items()
        if row["p99"] >= P99_TARGET_MS and step != "admin login"  # a deliberately slow hash
    ]  # fmt: skip
    failed = (
        checks["lost"] or checks["duplicate keys"] or checks["counter mismatches"]
        or checks["rows"] != checks["thanks"] or checks["integrity"] not in ("ok", NO_FILE)
        or checks["audit problems"] or load.stats.server_errors() or slow
    )  # fmt: skip
    print(f"targets: p99 < {P99_TARGET_MS} ms {'missed by ' + ', '.join(slow) if slow else 'met'};"
          f" verdict {'FAIL' if failed else 'PASS'}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
