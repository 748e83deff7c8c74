"""Benchmark: `surveyapp migrate-to-postgres` of a SQLite database holding N cmo responses
(bench/tallies_export.fill) into a new database on a PostgreSQL server, verification
included. Prints the rows copied, wall and CPU seconds and rows per wall second, and the
peak RSS of the command (it reads and writes in batches); asserts nothing.

    .venv/bin/python bench/migrate_postgres.py --server postgresql://postgres@127.0.0.1:55432 \
        [--responses 20000] [--batch 2000]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True, help="postgresql://user@host:port")
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    from tallies_export import fill

    from surveyapp import create_app

    folder = Path(tempfile.mkdtemp(prefix="migrate-bench-"))
    source = folder / "source.db"
    settings = {"SECRET_KEY": "bench", "AUDIT_KEY": "bench-audit", "DATABASE": str(source)}
    begin = time.perf_counter()
    fill(create_app(settings, init_db=True), args.responses)
    print(f"filled {args.responses:,} responses in {time.perf_counter() - begin:.1f} s")
    name = f"migrate_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        run(args, source, name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run(args: argparse.Namespace, source: Path, name: str) -> None:
    env = {**os.environ, "SURVEYAPP_SECRET_KEY": "bench", "SURVEYAPP_AUDIT_KEY": "bench-audit",
           "SURVEYAPP_DATABASE": str(source), "PYTHONPATH": str(ROOT)}  # fmt: skip
    command = [sys.executable, "-m", "surveyapp", "migrate-to-postgres", str(source),
               f"{args.server}/{name}", "--batch", str(args.batch)]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - begin
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(done.stdout.strip().splitlines()[-2] if done.returncode == 0 else done.stderr)
    rows = sum(int(line.split(": ")[1].split()[0]) for line in done.stdout.splitlines()
               if line.startswith("  ") and "row(s)" in line)  # fmt: skip
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"migrate-to-postgres: {rows:,} rows in {wall:.1f} s wall, {cpu:.1f} s CPU"
          f" ({rows / wall:,.0f} rows/s wall), peak RSS {after.ru_maxrss / 1024:.0f} MiB,"
          f" exit {done.returncode}")  # fmt: skip


if __name__ == "__main__":
    main()
