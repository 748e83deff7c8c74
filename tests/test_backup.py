"""`backup` under load and `restore` with its checks."""

from __future__ import annotations

import re
import threading

import pytest
import sqlite_utils

from bench.harness import Load
from bench.server import Server
from surveyapp import store
from surveyapp.store import backup as ops
from surveyapp.store import schema
from tests.conftest import wait_for


def _keys(path) -> set[str]:
    db = store.connect(path)
    try:
        return {row[0] for row in db.execute("SELECT submission_key FROM responses").fetchall()}
    finally:
        db.close()


def test_backup_under_load_restores_elsewhere_with_every_acknowledged_response(tmp_path, make_app):
    backup_file = tmp_path / "copy.db"
    server = Server(tmp_path / "live", workers=2, threads=8)
    server.env["SURVEYAPP_DELIVER_WEBHOOKS"] = "0"  # no webhooks here: two fewer processes
    with server:
        load = Load(server.base, seconds=60, respondents=6, admins=0, max_walks=6)
        runner = threading.Thread(target=load.run)
        runner.start()
        assert wait_for(lambda: load.count("thanks") >= 6), "respondents are submitting"
        acknowledged = {o.key for o in list(load.outcomes) if o.result == "thanks"}
        live_app = make_app(DATABASE=str(server.database))
        result = live_app.test_cli_runner().invoke(args=["backup", str(backup_file)])
        store.close_thread_connections()
        runner.join()
        after = {o.key for o in load.outcomes if o.result == "thanks"}
    assert result.exit_code == 0, result.output
    assert acknowledged, "responses were acknowledged before the backup began"
    assert len(after) > len(acknowledged), "respondents kept submitting during the backup"
    restored_app = make_app(DATABASE=str(tmp_path / "elsewhere.db"))
    result = restored_app.test_cli_runner().invoke(args=["restore", str(backup_file), "--yes"])
    assert result.exit_code == 0, result.output
    db = store.thread_connection(restored_app.config["DATABASE"])
    assert ops.integrity_check(db) == ["ok"]
    restored = {row[0] for row in db.execute("SELECT submission_key FROM responses")}
    assert acknowledged <= restored
    assert restored <= after
    assert restored == _keys(backup_file)
    assert list(tmp_path.glob("elsewhere.db.before-restore-*"))
    fresh = store.connect(restored_app.config["DATABASE"])
    assert store.check_settings(fresh)["journal_mode"] == "wal"
    fresh.close()


@pytest.mark.both_engines
def test_backup_refuses_to_overwrite_without_force(app, runner, tmp_path):
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "exists" in result.output
    assert target.read_text() == "keep me"
    assert runner.invoke(args=["backup", str(target), "--force"]).exit_code == 0
    assert ops.check_restorable(target) == 0
    assert target.stat().st_mode & 0o077 == 0


def _not_sqlite(path):
    path.write_bytes(b"not a database at all" * 100)


def _other_sqlite(path):
    sqlite_utils.Database(path)["foo"].insert({"a": 1})


def _newer_surveyapp(path):
    db = store.connect(path, create=True)
    schema.init_db(db)
    db["_sqlite_migrations"].insert(
        {"migration_set": "surveyapp", "name": "m999_future", "applied_at": "2099"}
    )
    db.close()


def _corrupt(path):
    db = store.connect(path, create=True)
    schema.init_db(db)
    db["filler"].insert_all({"x": "y" * 500} for _ in range(200))
    with db.ensure_autocommit_on():
        db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 3 + 200] = b"\xff" * 200
    path.write_bytes(bytes(data))


@pytest.mark.both_engines
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_not_sqlite, "not a usable SQLite database"),
        (_other_sqlite, "not a surveyapp database"),
        (_newer_surveyapp, "newer surveyapp"),
        (_corrupt, "integrity_check|not a usable"),
    ],
)
def test_restore_refuses_what_it_must_not_restore(app, runner, db, tmp_path, make, message):
    store.insert_response(
        db, survey="cmo", edition=2012, version="v", answers={"a": "b"}, counted=[],
        submission_key="kept",
    )  # fmt: skip
    bad = tmp_path / "bad.db"
    make(bad)
    result = runner.invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code != 0
    assert re.search(message, result.output), result.output
    assert store.response_for_key(db, "kept")
    assert not list(tmp_path.glob("*.before-restore-*"))
