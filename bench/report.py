"""After a run: what clients were told against what the database holds, and the figures."""

from __future__ import annotations

from pathlib import Path

from bench.harness import Load, Outcome
from surveyapp import SHIPPED_SURVEYS, store
from surveyapp.figures import tallies
from surveyapp.questionnaire.loader import definition_files, load_all
from surveyapp.store import audit
from surveyapp.store import backup as ops
from surveyapp.store.connection import is_postgres

NO_FILE = "n/a (PostgreSQL)"  # integrity_check is SQLite's check of its file


def check_database(
    path: Path | str, outcomes: list[Outcome], audit_key: bytes | None = None
) -> dict:
    """Compare what clients were told with what the database holds; with the audit key,
    also re-walk the audit chain."""
    db = store.connect(path)
    try:
        stored = {row[0] for row in db.execute("SELECT submission_key FROM responses").fetchall()}
        rows = db.execute("SELECT count(*) FROM responses").fetchone()[0]
        catalog = load_all(definition_files(SHIPPED_SURVEYS))
        acknowledged = {o.key for o in outcomes if o.result in ("thanks", "again")}
        attempted = {o.key for o in outcomes if o.key}
        checks = {
            "rows": rows,
            "thanks": sum(o.result == "thanks" for o in outcomes),
            "again": sum(o.result == "again" for o in outcomes),
            "lost": len(acknowledged - stored),
            "unexpected rows": len(stored - attempted),
            "unacknowledged rows": len(stored - acknowledged),
            "duplicate keys": len(ops.duplicate_submission_keys(db)),
            "counter mismatches": len(tallies.verify_tallies(db, catalog)),
            "integrity": NO_FILE if is_postgres(db) else ", ".join(ops.integrity_check(db)),
        }
        if audit_key is not None:
            checks["audit problems"] = len(audit.verify(db, audit_key))
        return checks
    finally:
        db.close()


def report(load: Load, checks: dict, out=print) -> None:
    fresh = load.count("thanks")
    requests_made = sum(len(v) for v in load.stats.times.values())
    out(f"duration {load.elapsed:.1f} s, {load.respondents} respondents (think time"
        f" {load.think:.2f} s a page on average), {load.admins} admin pages")  # fmt: skip
    out(f"responses stored {fresh} ({fresh / load.elapsed:.1f}/s), "
        f"requests {requests_made} ({requests_made / load.elapsed:.1f}/s)")  # fmt: skip
    out(f"{'step':<14}{'n':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for step, row in load.stats.percentiles().items():
        out(f"{step:<14}{row['n']:>8}{row['p50']:>10.1f}{row['p95']:>10.1f}{row['p99']:>10.1f}")
    out(f"errors by status: {load.stats.errors() or 'none'}")
    out("consistency: " + ", ".join(f"{k} {v}" for k, v in checks.items()))
