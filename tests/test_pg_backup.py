"""`backup` and `restore` on PostgreSQL: pg_dump / pg_restore, the safety dump, the
listing of what a restore discards, refusals (other sessions, missing binaries, a SQLite
file, an archive of a newer surveyapp)."""

from __future__ import annotations

import psycopg
import pytest

from surveyapp import store
from surveyapp.store import audit, schema
from surveyapp.store.backup import BackupError, check_restorable
from surveyapp.store.pg import dump as pg_dump
from surveyapp.store.restore import read_listing

pytestmark = pytest.mark.postgresql_only


def submit(db, key: str) -> str:
    """A response row as the store writes one (no answers: nothing else to count)."""
    response_id = f"r-{key}"
    with store.immediate(db):
        number = db.execute("SELECT coalesce(max(id), 0) + 1 FROM responses").fetchone()[0]
        db.execute(
            "INSERT INTO responses (id, response_id, submission_key, survey, edition, version,"
            " submitted_at, answers) VALUES (?, ?, ?, 'cmo', 2012, 'v', '2026-12-01', '{}')",
            [number, response_id, key],
        )
    return response_id


def keys(db) -> set[str]:
    return {row[0] for row in db.execute("SELECT submission_key FROM responses")}


def test_backup_is_a_private_pg_dump_archive_that_restore_accepts(app, db, runner, tmp_path):
    submit(db, "one")
    target = tmp_path / "copy.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backed up 1 response(s)" in result.output and "pg_dump" in result.output
    assert pg_dump.is_dump(target) and target.stat().st_mode & 0o077 == 0
    assert check_restorable(target) == 1
    assert audit.verify(db) == []
    assert [row[0] for row in db.execute("SELECT action FROM audit")] == ["backup"]


@pytest.fixture
def app(make_app, tmp_path, monkeypatch):
    """An app whose instance folder (where a restore keeps its safety dump) is the test's."""
    monkeypatch.setenv("SURVEYAPP_INSTANCE", str(tmp_path / "instance"))
    return make_app()


def test_restore_brings_back_the_backup_and_lists_what_it_discards(app, db, runner, tmp_path):
    submit(db, "before")
    target = tmp_path / "copy.dump"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    later = submit(db, "after")
    generation = db.execute("SELECT generation FROM maintenance").fetchone()[0]
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    db = store.thread_connection(app.config["DATABASE"])
    assert keys(db) == {"before"}
    assert later in result.output and "Discarded: 1 response(s)" in result.output
    [safety] = (tmp_path / "instance").glob("before-restore-*.dump")
    assert check_restorable(safety) == 2
    [listed] = read_listing(safety.with_name(safety.name + ".discarded.csv"))
    assert listed["response_id"] == later and listed["submission_key"] == "after"
    assert db.execute("SELECT generation FROM maintenance").fetchone()[0] == generation + 1
    assert audit.verify(db) == []
    audit.record(db, "ada", "export", survey="cmo", format="csv", rows=1)  # identity goes on
    verified = runner.invoke(args=["verify-audit"])
    assert verified.exit_code == 0, verified.output


def test_restore_is_refused_while_another_session_uses_the_database(app, db, runner, tmp_path):
    submit(db, "kept")
    target = tmp_path / "copy.dump"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    submit(db, "newer")
    with psycopg.connect(app.config["DATABASE"]):  # an app host's connection
        result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0
    assert "other session(s) use this database" in result.output and "pg_restore" in result.output
    db = store.thread_connection(app.config["DATABASE"])
    assert keys(db) == {"kept", "newer"}


def test_a_sqlite_file_is_refused_with_the_command_that_copies_it(app, runner, tmp_path):
    sqlite_app_db = tmp_path / "other.db"
    lite = store.connect(sqlite_app_db, create=True)
    schema.init_db(lite)
    lite.close()
    result = runner.invoke(args=["restore", str(sqlite_app_db), "--yes"])
    assert result.exit_code != 0 and "migrate-to-postgres" in result.output


def test_an_archive_of_a_newer_surveyapp_is_refused(app, db, runner, tmp_path):
    db.execute("INSERT INTO surveyapp_migrations (name) VALUES ('m999_future')")
    target = tmp_path / "newer.dump"
    pg_dump.dump(app.config["DATABASE"], target)
    with pytest.raises(BackupError, match="newer surveyapp"):
        check_restorable(target)


def test_missing_client_programs_are_named(app, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code != 0
    assert "pg_dump is not installed" in result.output and "postgresql-client" in result.output
    assert not list(tmp_path.glob("x.dump*"))


def test_a_restore_that_fails_in_pg_restore_changes_nothing(app, db, runner, tmp_path, monkeypatch):
    submit(db, "kept")
    target = tmp_path / "copy.dump"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    submit(db, "newer")
    broken = tmp_path / "broken.dump"
    data = target.read_bytes()
    broken.write_bytes(data[: len(data) * 2 // 3])  # its table of contents, not all its data
    real_load = pg_dump.load
    monkeypatch.setattr(pg_dump, "load", lambda url, _path: real_load(url, broken))
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0 and "pg_restore failed" in result.output
    db = store.thread_connection(app.config["DATABASE"])
    assert keys(db) == {"kept", "newer"}
    assert db.execute("SELECT restoring_pid, generation FROM maintenance").fetchone() == (None, 0)
    submit(db, "after")  # writes go on
    with pytest.raises(store.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit")
