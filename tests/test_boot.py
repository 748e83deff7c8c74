"""Starting up: who creates and upgrades the database (init-db and serve, never a worker),
what a worker checks before serving, the files' permissions, a full disk, and writes that
give up instead of waiting forever."""

from __future__ import annotations

import logging
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyapp import SHIPPED_SURVEYS, cli, create_app, store
from surveyapp.store import accounts, audit, schema
from surveyapp.store.pg import database as pg_database
from tests.adminkit import PASSWORD, admin_client, login, make_admin
from tests.walker import Respondent, cmo_answers

# Holds the write queue's file lock from another process until killed.
HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(120)
"""


# On PostgreSQL: holds the database's write lock (an advisory lock) until killed.
HOLD_PG_LOCK = """
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
conn.execute("SELECT pg_advisory_lock(%s)", [int(sys.argv[2])])
print("held", flush=True)
time.sleep(120)
"""


def hold_write_lock(database: str) -> subprocess.Popen:
    """Another process holding the database's write queue (SQLite) or lock (PostgreSQL)."""
    if store.pg.is_url(database):
        args = [HOLD_PG_LOCK, database, str(pg_database.WRITE_LOCK)]
    else:
        args = [HOLD_LOCK, database + "-writer.lock"]
    return subprocess.Popen([sys.executable, "-c", *args], stdout=subprocess.PIPE, text=True)


def command(*args: str):
    """Run `surveyapp ARGS` as the console script does (the app built by the command line)."""
    result = CliRunner().invoke(cli.group, list(args))
    store.close_thread_connections()
    return result


@pytest.fixture
def held_lock(app, monkeypatch):
    """Another process holding the database's write queue; the busy timeout cut to 0.3 s."""
    monkeypatch.setattr(store.connection, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(pg_database, "LOCK_TIMEOUT", "300ms")
    holder = hold_write_lock(app.config["DATABASE"])
    try:
        assert holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()


# --- who creates and upgrades the database --------------------------------------------


def test_init_db_from_the_command_line_creates_the_database(instance):
    result = command("init-db")
    assert result.exit_code == 0, result.output
    assert f"{len(schema.known())} migration(s) applied" in result.output
    app = create_app()  # a worker's boot: the database is ready, so it starts
    assert app.test_client().get("/").status_code == 200


def test_a_worker_refuses_a_missing_database_instead_of_creating_it(instance):
    with pytest.raises(store.StorageError, match=r"no database at .*surveyapp init-db"):
        create_app()
    assert not (instance / "surveyapp.db").exists()
    result = command("export", "cmo")
    assert result.exit_code != 0
    assert "no database at" in result.output and "init-db" in result.output
    assert not (instance / "surveyapp.db").exists()


def test_a_deleted_database_is_not_served_empty(make_app, tmp_path):
    app = make_app()
    store.close_thread_connections()
    for suffix in ("", "-wal", "-shm"):
        Path(app.config["DATABASE"] + suffix).unlink(missing_ok=True)
    with pytest.raises(store.StorageError, match="no database at"):
        create_app({**app.config, "TESTING": True})
    with pytest.raises(store.StorageError, match="no database at"):
        store.connect(app.config["DATABASE"])
    assert not Path(app.config["DATABASE"]).exists()


def _drop_the_audit_migration(path: str) -> None:
    """Make the database as an older surveyapp left it: before m004_audit."""
    db = store.connect(path)
    with db.ensure_autocommit_on():
        db.execute("DROP TABLE audit")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_audit'")
    db.close()


def test_a_worker_refuses_a_schema_that_is_behind_until_init_db(instance):
    assert command("init-db").exit_code == 0
    _drop_the_audit_migration(str(instance / "surveyapp.db"))
    with pytest.raises(store.StorageError, match=r"behind .*m004_audit.*run `surveyapp init-db`"):
        create_app()
    result = command("init-db")
    assert result.exit_code == 0 and "1 migration(s) applied" in result.output
    assert create_app().test_client().get("/").status_code == 200


def test_a_worker_serves_the_stored_versions_until_init_db_publishes_a_changed_file(instance):
    assert command("init-db").exit_code == 0
    folder = instance / "surveys"
    folder.mkdir()
    cmo = (SHIPPED_SURVEYS / "cmo.yaml").read_text(encoding="utf-8")
    (folder / "cmo.yaml").write_text(cmo.replace("Working with", "Our work with"))
    worker = create_app()  # starts: the database holds the versions it serves
    assert "Working with" in worker.test_client().get("/s/cmo").text
    assert command("init-db").exit_code == 0
    assert "Our work with" in worker.test_client().get("/s/cmo").text


def test_serve_prepares_the_database_before_starting_gunicorn(instance, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", "long enough password")
    calls = []
    monkeypatch.setattr("os.execv", lambda path, args: calls.append(args))
    result = command("serve", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert calls and "python:surveyapp.gunicorn_conf" in calls[0]
    app = create_app()  # what each gunicorn worker then does: it finds the database ready
    assert accounts.get_admin(store.thread_connection(app.config["DATABASE"]), "admin")


@pytest.mark.both_engines
def test_a_worker_boots_while_another_process_holds_the_write_lock(app):
    """Booting reads only: neither SQLite's write lock nor the write queue is needed."""
    holder = hold_write_lock(app.config["DATABASE"])
    writer = store.connect(app.config["DATABASE"])
    booted = []
    try:
        assert holder.stdout.readline() == "held\n"
        if not store.connection.is_postgres(writer):  # PostgreSQL's is the holder's lock
            writer.execute("BEGIN IMMEDIATE")
        boot = threading.Thread(target=lambda: booted.append(create_app(dict(app.config))))
        boot.start()
        boot.join(timeout=60)
        assert booted, "the worker's boot waited for the write lock"
        assert booted[0].test_client().get("/s/cmo").status_code == 200
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()
        if writer.conn.in_transaction:
            writer.execute("ROLLBACK")
        writer.close()
        boot.join(timeout=60)


# --- files ----------------------------------------------------------------------------


def test_database_wal_shm_and_lock_files_are_private(instance, monkeypatch):
    previous = os.umask(0o022)
    try:
        assert command("init-db").exit_code == 0
        app = create_app()
        make_admin(app)  # a write: creates the queue's lock file; the connection stays open
        database = instance / "surveyapp.db"
        files = [database, *(Path(f"{database}{s}") for s in ("-wal", "-shm", "-writer.lock"))]
        assert all(f.exists() for f in files)
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {
            f.name: 0o600 for f in files
        }
    finally:
        os.umask(previous)


# --- a full disk ----------------------------------------------------------------------


def _fill(db) -> None:
    """Let the database grow by a few pages only, then fill them with audit entries of
    one page each (so little room is left on each): the next entry needs a new page,
    which a full disk refuses."""
    pad = "x" * (db.execute("PRAGMA page_size").fetchone()[0] - 300)
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0] + 4}")
    for _ in range(100):
        try:
            audit.record(db, "filler", "backup", pad=pad)
        except store.DatabaseError as exc:
            assert "full" in str(exc)
            return
    raise AssertionError("the database never filled up")


def test_admin_login_reading_and_export_work_when_the_disk_is_full(app, db, caplog):
    client = admin_client(app)
    Respondent(app.test_client(), "cmo").complete(cmo_answers())
    _fill(db)
    entries = audit.count(db)
    with pytest.raises(store.DatabaseError):
        audit.record(db, "probe", "backup")
    fresh = app.test_client()
    with caplog.at_level(logging.ERROR):
        assert login(fresh).status_code == 302
        assert fresh.get("/admin/surveys/cmo").status_code == 200
        export = fresh.get("/admin/surveys/cmo/export.csv")
        assert export.status_code == 200 and export.text.count("\n") == 2
        assert login(app.test_client(), password="wrong " + PASSWORD).status_code == 401
    assert client.get("/admin/").status_code == 200
    assert audit.count(db) == entries
    unwritten = [r.getMessage() for r in caplog.records if "not written" in r.getMessage()]
    assert any("login by ada" in m for m in unwritten)
    assert any("export by ada" in m for m in unwritten)


# --- the write queue gives up ---------------------------------------------------------


@pytest.mark.both_engines
def test_the_write_queue_gives_up_after_the_busy_timeout(app, held_lock):
    outcome = []

    def write() -> None:
        db = store.connect(app.config["DATABASE"])
        try:
            store.save_draft(db, "key", "cmo", {"region": "asia"})
            outcome.append("written")
        except store.StorageBusy as exc:
            outcome.append(exc)
        finally:
            db.close()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=60)
    assert not writer.is_alive(), "the write waited for the lock without end"
    assert isinstance(outcome[0], store.DatabaseError)
    assert "busy" in str(outcome[0])
    held_lock.kill()
    held_lock.wait(timeout=10)
    store.save_draft(store.connect(app.config["DATABASE"]), "key", "cmo", {"region": "asia"})
    assert store.load_draft(store.thread_connection(app.config["DATABASE"]), "key")


@pytest.mark.both_engines
def test_a_respondent_gets_try_again_with_answers_kept_while_the_queue_is_held(app, held_lock):
    respondent = Respondent(app.test_client(), "cmo")
    respondent.open(1)
    page = respondent.post(1, cmo_answers(region="asia")[0])
    assert page.status_code == 503
    assert "could not save your answers" in page.text
    picked = re.search(r'<input[^>]*value="asia"[^>]*>', page.text).group(0)
    assert "checked" in picked
