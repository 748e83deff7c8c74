"""The cost of taking PostgreSQL's write turn (store.pg BEGIN IMMEDIATE): BEGIN, the lock
timeout and the advisory write lock in one round trip, against the same three statements
sent one by one (the baseline), and a whole store.immediate() (with the restore check),
interleaved in one run on one database.

    .venv/bin/python bench/pg_write_turn.py postgresql://postgres@127.0.0.1:55432/postgres

Creates and drops a scratch database `pg_write_turn` on that server."""

from __future__ import annotations

import argparse
import statistics
import time

import psycopg

from surveyapp import store
from surveyapp.store import schema
from surveyapp.store.pg import database as pg_database

ROUNDS, PER_ROUND = 10, 300


def one_by_one(db) -> None:
    db.raw.execute("BEGIN")
    db.raw.execute(f"SET LOCAL lock_timeout = '{pg_database.LOCK_TIMEOUT}'")
    db.raw.execute("SELECT pg_advisory_xact_lock(%s)", [pg_database.WRITE_LOCK])
    db.raw.execute("COMMIT")


def together(db) -> None:
    db.execute("BEGIN IMMEDIATE")
    db.execute("COMMIT")


def immediate(db) -> None:
    """What a store write pays: the restore check, then the turn (store.immediate)."""
    with store.immediate(db):
        pass


def per_turn(db, turn) -> float:
    began = time.perf_counter()
    for _ in range(PER_ROUND):
        turn(db)
    return (time.perf_counter() - began) / PER_ROUND * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("server", help="postgresql://... on the server to use")
    server = parser.parse_args().server.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS pg_write_turn")
        admin.execute("CREATE DATABASE pg_write_turn")
    db = store.connect(f"{server}/pg_write_turn")
    try:
        schema.init_db(db)
        turns = {"one by one (baseline)": one_by_one, "one round trip": together,
                 "store.immediate": immediate}  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in turns}
        for _ in range(ROUNDS):
            for name, turn in turns.items():
                times[name].append(per_turn(db, turn))
    finally:
        db.close()
        store.pg.close_pools()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS pg_write_turn")
    for name, values in times.items():
        print(f"{name:24} median {statistics.median(values):7.0f} µs per empty write transaction")


if __name__ == "__main__":
    main()
