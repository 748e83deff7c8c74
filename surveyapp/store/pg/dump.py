"""`backup` and `restore` on PostgreSQL: pg_dump's custom format (-Fc) and pg_restore,
run as subprocesses with the database URL's own credentials.

A backup is one snapshot: the responses it counts are those pg_dump copies (the snapshot
is exported from the connection that counts them). A restore replaces the database's
content in pg_restore's single transaction, after a safety dump of what it held; it is
refused while any other session uses the database (stop the app hosts first): unlike
SQLite's, it does not hold writers out while they run."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from surveyapp.store.files import written_whole

MAGIC = b"PGDMP"  # the first bytes of a custom-format archive
REQUIRED_TABLES = ("responses", "answers", "counters", "drafts", "definitions", "admins")
MANUAL = (
    "pg_restore --clean --if-exists --single-transaction --no-owner --no-privileges"
    ' --exit-on-error -d "$SURVEYAPP_DATABASE_URL" FILE, then `surveyapp init-db`'
)


class DumpError(Exception):
    """pg_dump or pg_restore failed, is missing, or the archive is not ours."""


def is_dump(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DumpError(
            f"{name} is not installed: install PostgreSQL's client programs (Debian:"
            f" postgresql-client, the server's major version or newer)"
        )
    return found


def _run(args: list[str], **options: Any) -> subprocess.CompletedProcess:
    command = [_tool(args[0]), *args[1:]]
    done = subprocess.run(command, capture_output=True, check=False, **options)  # noqa: S603
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace").strip().splitlines()
        raise DumpError(f"{args[0]} failed: {' / '.join(error[-3:]) or done.returncode}")
    return done


def dump(url: str, target: Path) -> int:
    """pg_dump the database at `url` to `target` (readable by its owner only) in one
    snapshot; the number of responses it holds."""
    import psycopg  # a process on SQLite never loads it (store/pg/__init__.py)

    _tool("pg_dump")
    with written_whole(target) as partial, psycopg.connect(url) as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        count = conn.execute("SELECT count(*) FROM responses").fetchone()[0]
        _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              "-f", str(partial), "-d", url])  # fmt: skip
    return count


def _copy_rows(path: Path, table: str) -> Iterator[list[str]]:
    """The rows of `table` in the archive, as pg_restore writes them (COPY text), read
    as they come (a large table is never held in memory)."""
    command = [_tool("pg_restore"), "-a", "-t", table, "-f", "-", str(path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:  # noqa: S603
        inside = False
        for raw in proc.stdout:
            line = raw.rstrip(b"\n")
            if line.startswith(b"COPY "):
                inside = True
            elif line == b"\\.":
                inside = False
            elif inside:
                yield line.decode().split("\t")
        error = proc.stderr.read().decode(errors="replace").strip()
    if proc.returncode != 0:
        raise DumpError(f"pg_restore failed: {error or proc.returncode}")


def check(path: Path, known: list[str]) -> int:
    """Refuse an archive that is not a surveyapp database this version understands;
    its number of responses."""
    listing = _run(["pg_restore", "-l", str(path)]).stdout.decode()
    tables = {line.split()[-2] for line in listing.splitlines() if " TABLE DATA " in line}
    missing = [t for t in (*REQUIRED_TABLES, "surveyapp_migrations") if t not in tables]
    if missing:
        raise DumpError(f"{path} is not a surveyapp database (no table {missing[0]!r})")
    applied = {row[0] for row in _copy_rows(path, "surveyapp_migrations")}
    newer = sorted(applied - set(known))
    if newer:
        raise DumpError(f"{path} comes from a newer surveyapp (migrations {newer})")
    return sum(1 for _row in _copy_rows(path, "responses"))


def others(db: Any) -> int:
    """Sessions on this database other than `db`'s own."""
    return db.raw.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    ).fetchone()[0]


def load(url: str, path: Path) -> None:
    """Replace the database's content with the archive's, in one transaction."""
    _run(["pg_restore", "--clean", "--if-exists", "--single-transaction", "--no-owner",
          "--no-privileges", "--exit-on-error", "-d", url, str(path)])  # fmt: skip
