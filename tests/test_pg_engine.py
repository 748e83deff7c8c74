"""The PostgreSQL engine under the store (store/pg): PRAGMAs, errors, a connection lost
and replaced, read budgets, the one write lock, init-db run twice at once, the settings
and keys it refuses to start without."""

from __future__ import annotations

import threading

import psycopg
import pytest

from bench.loadgen import in_threads
from surveyapp import create_app, store
from surveyapp.store import connection, schema
from surveyapp.store.pg import database as pg_database
from tests.conftest import wait_for

pytestmark = pytest.mark.postgresql_only


def kill_backends(url: str) -> int:
    """End every other session on `url`'s database, as a server restart would."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]


def kill_backends_as_admin(pg_admin, name: str) -> None:
    pg_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")


@pytest.fixture
def pg_admin(app):
    """Run SQL on the server's `postgres` database (ALTER DATABASE, terminating sessions)."""
    server = app.config["DATABASE"].rsplit("/", 1)[0]

    def run(sql: str) -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    return run


def waiting_for_lock(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()[0]


def test_pragmas_the_store_reads_are_answered_and_settings_change_nothing(db, app):
    url = app.config["DATABASE"]
    assert db.execute("PRAGMA database_list").fetchone() == (0, "main", url)
    columns = {row[1]: row for row in db.execute("PRAGMA table_info(drafts)").fetchall()}
    assert columns["key"][5] == 1 and columns["survey"][5] == 0
    assert columns["survey"][3] == 1  # NOT NULL
    assert db.execute("PRAGMA main.table_info('counters')").fetchall()[0][1] == "survey"
    for setting in ("foreign_keys = ON", "busy_timeout = 5000", "synchronous = FULL"):
        assert db.execute(f"PRAGMA {setting}").fetchall() == []
    with pytest.raises(store.OperationalError):
        db.execute("PRAGMA integrity_check")


def test_a_percent_reaches_the_server_as_written_with_or_without_parameters(db):
    assert db.execute("SELECT '50%' LIKE '5%', 7 % 3 -- 100%").fetchone() == (True, 1)
    assert db.execute("SELECT '% a %' LIKE ?, ? % 3", ["% a %", 7]).fetchone() == (True, 1)


def test_a_unique_violation_is_an_integrity_error_and_the_connection_goes_on(db):
    db.execute("INSERT INTO admins (username, password_hash, role, created_at)"
               " VALUES ('ada', 'x', 'admin', '2026')")  # fmt: skip
    with pytest.raises(store.IntegrityError, match="duplicate key"):
        db.execute("INSERT INTO admins (username, password_hash, role, created_at)"
                   " VALUES ('ada', 'y', 'admin', '2026')")  # fmt: skip
    assert db.execute("SELECT count(*) FROM admins").fetchone()[0] == 1


def test_an_ignored_insert_into_an_identity_table_has_no_row_id(db):
    sql = ("INSERT OR IGNORE INTO admins (username, password_hash, role, created_at)"
           " VALUES (?, ?, ?, ?)")  # fmt: skip
    first = db.execute(sql, ["ada", "x", "admin", "2026"])
    assert first.rowcount == 1 and first.lastrowid >= 1
    again = db.execute(sql, ["ada", "x", "admin", "2026"])
    assert (again.rowcount, again.lastrowid) == (0, None)


def test_a_read_on_a_killed_session_runs_again_on_a_new_connection(db, app):
    before = db.execute("SELECT pg_backend_pid()").fetchone()[0]
    assert kill_backends(app.config["DATABASE"]) >= 1
    assert db.execute("SELECT count(*) FROM responses").fetchone() == (0,)
    assert db.execute("SELECT pg_backend_pid()").fetchone()[0] != before
    kill_backends(app.config["DATABASE"])
    with store.immediate(db):  # BEGIN IMMEDIATE too starts again on a new connection
        db.execute("UPDATE maintenance SET generation = 1")
    assert db.execute("SELECT generation FROM maintenance").fetchone() == (1,)


def test_a_write_on_a_killed_session_is_an_operational_error_then_replaced(app):
    url = app.config["DATABASE"]
    db = store.thread_connection(url)
    db.execute("SELECT 1")
    assert kill_backends(url) >= 1
    with pytest.raises(store.OperationalError):
        db.execute("UPDATE maintenance SET generation = generation + 1")
    assert db.broken
    fresh = store.thread_connection(url)
    assert fresh is not db
    assert fresh.execute("SELECT generation FROM maintenance").fetchone() == (0,)


def test_a_session_killed_inside_a_transaction_is_not_resumed_elsewhere(app, db):
    with pytest.raises(store.OperationalError), store.immediate(db):
        db.execute("UPDATE maintenance SET generation = 7")
        kill_backends(app.config["DATABASE"])
        db.execute("SELECT generation FROM maintenance")
    fresh = store.thread_connection(app.config["DATABASE"])
    assert fresh.execute("SELECT generation FROM maintenance").fetchone() == (0,)


def test_an_unreachable_database_fails_at_once_and_connects_when_back(app, pg_admin):
    url = app.config["DATABASE"]
    name = url.rsplit("/", 1)[1]
    store.close_thread_connections()
    pg_admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
    try:
        kill_backends_as_admin(pg_admin, name)
        with pytest.raises(store.OperationalError, match="unreachable: .*not currently accepting"):
            store.thread_connection(url).execute("SELECT 1")
    finally:
        pg_admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
    assert wait_for(lambda: _reachable(url))


def _reachable(url: str) -> bool:
    try:
        return store.thread_connection(url).execute("SELECT 1").fetchone() == (1,)
    except store.OperationalError:
        return False


def test_a_read_past_its_budget_is_stopped_and_the_connection_stays_usable(db):
    with pytest.raises(store.ReadBudgetExceeded), store.read_budget(db, 0.05):
        db.execute("SELECT pg_sleep(5)").fetchall()
    assert db.execute("SHOW statement_timeout").fetchone() == ("0",)
    assert db.execute("SELECT count(*) FROM responses").fetchone() == (0,)


def test_an_unrelated_error_inside_a_read_budget_is_not_a_budget_error(db):
    with pytest.raises(store.OperationalError) as caught, store.read_budget(db, 5):
        db.execute("SELECT * FROM no_such_table")
    assert not isinstance(caught.value, store.ReadBudgetExceeded)


def _write_in_thread(url: str, label: str, log: list[str], entered: threading.Event):
    def run():
        other = store.connect(url)
        try:
            with store.immediate(other):
                log.append(label)
                other.execute("INSERT INTO drafts (key, survey, answers, updated_at)"
                              " VALUES (?, 'cmo', '{}', '2026')", [label])  # fmt: skip
        finally:
            entered.set()
            other.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_the_write_lock_makes_a_second_writer_wait_for_the_first(app, db):
    url, log, done = app.config["DATABASE"], [], threading.Event()
    with store.immediate(db):
        log.append("first")
        thread = _write_in_thread(url, "second", log, done)
        assert wait_for(lambda: waiting_for_lock(url) == 1)
        assert log == ["first"]
        db.execute("INSERT INTO drafts (key, survey, answers, updated_at)"
                   " VALUES ('first', 'cmo', '{}', '2026')")  # fmt: skip
    thread.join(30)
    assert log == ["first", "second"]
    assert db.execute("SELECT count(*) FROM drafts").fetchone() == (2,)


def test_a_writer_kept_waiting_past_the_lock_timeout_is_storage_busy(app, db, monkeypatch):
    sqlite_wait = connection.BUSY_TIMEOUT_MS // 1000
    assert f"{sqlite_wait}s" == pg_database.LOCK_TIMEOUT  # waits as long as on SQLite
    monkeypatch.setattr(pg_database, "LOCK_TIMEOUT", "200ms")
    other = store.connect(app.config["DATABASE"])
    try:
        with store.immediate(db):
            with pytest.raises(store.StorageBusy), store.immediate(other):
                pass
            assert not other.in_transaction  # nothing left for the caller to roll back
        with store.immediate(other):
            other.execute("INSERT INTO drafts (key, survey, answers, updated_at)"
                          " VALUES ('later', 'cmo', '{}', '2026')")  # fmt: skip
    finally:
        other.close()
    assert db.execute("SELECT key FROM drafts").fetchall() == [("later",)]


def test_two_init_db_at_once_apply_each_migration_once(pg_url):
    start, results = threading.Barrier(2), []

    def init(_number: int) -> None:
        db = store.connect(pg_url)
        try:
            start.wait(10)
            results.append(schema.init_db(db))
        finally:
            db.close()

    in_threads(2, init, join_timeout=60)
    assert sorted(results, key=len) == [[], schema.known(store.connect(pg_url))]
    db = store.connect(pg_url)
    names = [row[0] for row in db.execute("SELECT name FROM surveyapp_migrations")]
    assert sorted(names) == sorted(schema.known(db))
    schema.check_ready(db)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "AUDIT_KEY"])
def test_the_app_refuses_to_start_on_postgresql_without_a_shared_key(pg_url, tmp_path, missing):
    config = {"TESTING": True, "SECRET_KEY": "s", "AUDIT_KEY": "a", "DATABASE": pg_url}
    config[missing] = ""
    with pytest.raises(RuntimeError, match=f"SURVEYAPP_{missing} must be set"):
        create_app(config, init_db=True)
    assert not list((tmp_path).glob("**/secret_key")) and not list(tmp_path.glob("**/audit_key"))


def test_check_settings_accepts_the_server_and_refuses_unsafe_commits(db):
    found = store.check_settings(db)
    assert found["fsync"] == "on" and int(found["server_version"].split(".")[0]) >= 13
    db.execute("SET synchronous_commit = off")
    with pytest.raises(store.StorageError, match="synchronous_commit is off"):
        store.check_settings(db)
    db.execute("SET synchronous_commit = on")


class FsyncOff:
    """A connection whose server reports fsync off (a setting no test may change)."""

    engine = "postgresql"

    def __init__(self, db):
        self.db = db

    def execute(self, sql: str):
        if sql == "SHOW fsync":
            return self.db.execute("SELECT 'off'")
        return self.db.execute(sql)


def test_check_settings_refuses_a_server_without_fsync(db):
    with pytest.raises(store.StorageError, match="fsync is off"):
        store.check_settings(FsyncOff(db))


def test_the_audit_log_is_append_only_in_the_database(db):
    store.audit.record(db, "ada", "login", username="ada", address="127.0.0.1")
    for sql in ("UPDATE audit SET actor = 'eve'", "DELETE FROM audit", "TRUNCATE audit"):
        with pytest.raises(store.IntegrityError, match="append-only"):
            db.execute(sql)
    assert store.audit.count(db) == 1 and store.audit.verify(db) == []
