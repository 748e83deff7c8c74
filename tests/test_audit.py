"""The audit log: append-only, hash-chained, written by logins, role changes, exports,
imports and editions, shown at /admin/audit, never holding answer text."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

from surveyapp import create_app, store
from surveyapp.store import audit
from surveyapp.store.connection import is_postgres
from tests.adminkit import add, admin_client, cmo, csrf, login, make_admin

PETS = Path(__file__).parent / "admin_questionnaires"
SECRET_ANSWER = "my manager is awful zq81"


def actions(db) -> list[str]:
    return [row[0] for row in db.execute("SELECT action FROM audit ORDER BY id")]


def unguard(db, *triggers: str) -> None:
    """Drop the append-only triggers, as whoever owns the database could."""
    on = " ON audit" if is_postgres(db) else ""
    for name in triggers:
        db.execute(f"DROP TRIGGER IF EXISTS {name}{on}")


def everything(db) -> str:
    return json.dumps(db.execute("SELECT * FROM audit").fetchall(), ensure_ascii=False)


@pytest.mark.both_engines
def test_chain_links_every_row_and_verifies(db):
    first = audit.record(db, "ada", "backup", path="backups/b.db")
    second = audit.record(db, "ada", "export", survey="cmo", format="csv", rows=3)
    rows = db.execute("SELECT prev_hash, hash FROM audit ORDER BY id").fetchall()
    assert rows == [(audit.GENESIS, first), (first, second)]
    assert audit.verify(db) == []


@pytest.mark.both_engines
def test_unknown_action_is_refused(db):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(db, "ada", "made_up")
    assert audit.count(db) == 0


@pytest.mark.both_engines
def test_triggers_refuse_update_and_delete(db):
    audit.record(db, "ada", "login", username="ada", address="127.0.0.1")
    for sql in ("UPDATE audit SET actor = 'eve'", "DELETE FROM audit"):
        with pytest.raises(store.IntegrityError, match="append-only"):
            db.execute(sql)
    assert audit.count(db) == 1 and audit.verify(db) == []


@pytest.mark.both_engines
def test_verify_audit_command_catches_an_edited_row(app, db, runner):
    for n in range(3):
        audit.record(db, "ada", "export", survey="cmo", format="csv", rows=n)
    ok = runner.invoke(args=["verify-audit"])
    assert ok.exit_code == 0 and "3 entries chain correctly" in ok.output
    with store.immediate(db):
        unguard(db, "audit_no_update")
        db.execute("""UPDATE audit SET details = '{"rows": 99}' WHERE id = 2""")
    broken = runner.invoke(args=["verify-audit"])
    assert broken.exit_code == 1
    assert "row 2: content does not match its hash" in broken.output


@pytest.mark.both_engines
def test_verify_catches_a_deleted_row(db):
    for n in range(3):
        audit.record(db, "ada", "export", rows=n)
    with store.immediate(db):
        unguard(db, "audit_no_delete")
        db.execute("DELETE FROM audit WHERE id = 2")
    assert audit.verify(db) == [f"row 3: links to {_hash(db, 3)[:12]}, previous row is "
                                f"{_hash_of_row(db, 1)[:12]}"]  # fmt: skip


def _hash(db, id_):
    return db.execute("SELECT prev_hash FROM audit WHERE id = ?", [id_]).fetchone()[0]


def _hash_of_row(db, id_):
    return db.execute("SELECT hash FROM audit WHERE id = ?", [id_]).fetchone()[0]


@pytest.mark.both_engines
def test_concurrent_writers_do_not_fork_the_chain(app, db):
    path = app.config["DATABASE"]

    def write(n):
        own = store.connect(path)
        try:
            for i in range(25):
                audit.record(own, f"w{n}", "export", rows=i)
        finally:
            own.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert audit.count(db) == 100
    assert audit.verify(db) == []
    prevs = [row[0] for row in db.execute("SELECT prev_hash FROM audit")]
    assert len(set(prevs)) == 100


@pytest.mark.both_engines
def test_logins_and_failures_are_recorded(app, db):
    make_admin(app)
    client = app.test_client()
    login(client, password="wrong", REMOTE_ADDR="10.0.0.7")
    login(client, REMOTE_ADDR="10.0.0.8")
    page = client.get("/admin/")
    client.post("/admin/logout", data={"csrf_token": csrf(page.text)})
    rows = audit.entries(db, 10, 0)
    assert [r["action"] for r in rows] == ["logout", "login", "login_failed"]
    assert rows[2]["details"] == {"username": "ada", "address": "10.0.0.7"}
    assert rows[2]["actor"] == "addr:10.0.0.7"
    assert rows[1]["actor"] == "ada" and rows[1]["details"]["address"] == "10.0.0.8"
    assert "wrong" not in everything(db)


@pytest.mark.both_engines
def test_exports_record_who_format_filter_and_rows(app, db):
    client = admin_client(app)
    for _ in range(3):
        add(app, "cmo", cmo(comments=SECRET_ANSWER))
    with client.get("/admin/surveys/cmo/export.csv?since=2000-01-01&labels=1") as response:
        assert response.status_code == 200
    client.get("/admin/surveys/cmo/codebook.csv").close()
    export, codebook = audit.entries(db, 2, 0)[::-1]
    assert export["actor"] == "ada" and export["action"] == "export"
    assert export["details"] == {"survey": "cmo", "format": "csv", "rows": 3, "labels": True,
                                 "filter": {"since": "2000-01-01T00:00:00.000000Z"}}  # fmt: skip
    assert codebook["details"]["format"] == "codebook"
    assert SECRET_ANSWER not in everything(db)


@pytest.mark.both_engines
def test_a_head_request_on_a_download_exports_nothing_and_is_not_recorded(app, db):
    client = admin_client(app)
    add(app, "cmo", cmo())
    before = audit.count(db)
    for url in ("/admin/surveys/cmo/export.csv", "/admin/surveys/cmo/export.xlsx",
                "/admin/surveys/cmo/codebook.csv"):  # fmt: skip
        response = client.head(url)
        assert response.status_code == 200 and response.get_data() == b"", url
        assert "attachment" in response.headers["Content-Disposition"]
    assert audit.count(db) == before
    client.get("/admin/surveys/cmo/export.csv").close()
    assert audit.count(db) == before + 1


def test_cli_export_import_and_editions_are_recorded(app, db, runner, tmp_path):
    add(app, "cmo", cmo(comments=SECRET_ANSWER))
    out = tmp_path / "cmo.csv"
    assert runner.invoke(args=["export", "cmo", "-o", str(out)]).exit_code == 0
    assert runner.invoke(args=["import", "cmo", "--edition", "2012", str(out)]).exit_code == 0
    assert runner.invoke(args=["close-edition", "cmo", "2012"]).exit_code == 0
    assert runner.invoke(args=["open-edition", "cmo", "2012"]).exit_code == 0
    rows = audit.entries(db, 10, 0)[::-1]
    assert [r["action"] for r in rows] == ["export", "import", "edition_close", "edition_open"]
    assert all(r["actor"].startswith("cli") for r in rows)
    assert rows[0]["details"]["rows"] == 1
    assert rows[1]["details"] | {"sha256": "x"} == {
        "survey": "cmo", "edition": 2012, "file": "cmo.csv", "sha256": "x", "rows": 1,
        "created": 0, "problems": 0,
    }  # fmt: skip
    assert SECRET_ANSWER not in everything(db)
    assert audit.verify(db) == []


@pytest.mark.both_engines
def test_create_admin_records_new_account_and_role_change(db, runner, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_ADMIN_PASSWORD", "long enough pw")
    runner.invoke(args=["create-admin", "carol", "--role", "viewer"])
    runner.invoke(args=["create-admin", "carol", "--role", "admin"])
    created, changed = audit.entries(db, 2, 0)[::-1]
    assert created["details"] == {"username": "carol", "role": "viewer"}
    assert changed["action"] == "role_change"
    assert changed["details"] | {} == {"username": "carol", "old": "viewer", "new": "admin",
                                       "password_reset": True}  # fmt: skip


@pytest.mark.both_engines
def test_audit_page_is_newest_first_and_paginated(make_app):
    app = make_app(AUDIT_PER_PAGE=2)
    db = store.thread_connection(app.config["DATABASE"])
    client = admin_client(app)  # one login entry
    for n in range(3):
        audit.record(db, "ada", "export", survey=f"s{n}", rows=n)
    first = client.get("/admin/audit")
    assert first.status_code == 200
    assert first.text.index("survey=s2") < first.text.index("survey=s1")
    assert "survey=s0" not in first.text and 'rel="next"' in first.text
    second = client.get("/admin/audit?page=2").text
    assert "survey=s0" in second and "address=127.0.0.1" in second and 'rel="next"' not in second
    assert client.get("/admin/audit?page=0").status_code == 400
    make_admin(app, "vic", role="viewer")
    viewer = app.test_client()
    login(viewer, "vic")
    assert viewer.get("/admin/audit").status_code == 403


@pytest.mark.both_engines
def test_audit_page_shows_hostile_details_as_text(app, db):
    client = admin_client(app)
    login(app.test_client(), username="<script>alert(1)</script>", password="x")
    html = client.get("/admin/audit").text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


@pytest.mark.both_engines
def test_a_fork_of_the_chain_is_refused(db):
    first = audit.record(db, "ada", "export", rows=1)
    audit.record(db, "ada", "export", rows=2)
    with pytest.raises(store.IntegrityError):
        db.execute(
            "INSERT INTO audit (at, actor, action, details, prev_hash, hash)"
            " VALUES ('t', 'eve', 'export', '{}', ?, 'f00')",
            [first],
        )


@pytest.mark.both_engines
def test_backup_and_restore_are_recorded(app, db, runner, tmp_path):
    add(app, "cmo", cmo())
    copy = tmp_path / "copy.db"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    entry = audit.entries(db, 1, 0)[0]
    assert entry["action"] == "backup"
    assert entry["details"] == {"file": str(copy), "responses": 1}
    assert runner.invoke(args=["restore", str(copy), "--yes"]).exit_code == 0
    restored = audit.entries(db, 5, 0)
    assert [e["action"] for e in restored] == ["restore"]  # the backup predates its own entry
    assert restored[0]["details"]["responses"] == 1
    assert audit.verify(db) == []


def _rewrite_as_plain_chain(db, edit_id: int, details: str, drop=frozenset(), upto=None):
    """What anyone holding only the file can do: edit a row (and drop some), then recompute
    the hashes (of rows up to `upto`, default all) as a plain SHA-256 chain."""
    with store.immediate(db):
        unguard(db, "audit_no_update", "audit_no_delete")
        for id_ in drop:
            db.execute("DELETE FROM audit WHERE id = ?", [id_])
        prev = audit.GENESIS
        for id_, at, actor, action, old in db.execute(
            "SELECT id, at, actor, action, details FROM audit WHERE id <= ? ORDER BY id",
            [upto or 10**9],
        ).fetchall():
            text = details if id_ == edit_id else old
            payload = json.dumps([prev, at, actor, action, text], ensure_ascii=False)
            digest = hashlib.sha256(payload.encode()).hexdigest()
            db.execute(
                "UPDATE audit SET details = ?, prev_hash = ?, hash = ? WHERE id = ?",
                [text, prev, digest, id_],
            )
            prev = digest


@pytest.mark.both_engines
def test_rewriting_a_row_and_recomputing_a_plain_chain_is_detected(db, runner):
    for n in range(3):
        audit.record(db, "ada", "export", survey="cmo", format="csv", rows=n)
    _rewrite_as_plain_chain(db, 2, '{"rows": 99}')
    problems = audit.verify(db)
    assert [p for p in problems if "content does not match" in p] == [
        f"row {n}: content does not match its hash" for n in (1, 2, 3)
    ]
    assert runner.invoke(args=["verify-audit"]).exit_code == 1


@pytest.mark.both_engines
def test_the_chain_is_keyed_with_the_audit_key(db):
    digest = audit.record(db, "ada", "backup", path="b.db")
    row = db.execute("SELECT prev_hash, at, actor, action, details FROM audit").fetchone()
    assert digest == audit.row_hash(b"test-audit-key", *row) != audit.plain_hash(*row)
    assert audit.verify(db) == []
    assert audit.verify(db, key=b"another key") == ["row 1: content does not match its hash"]


def _old_database(path, rows: int):
    """A database as surveyapp left it before the audit key: migrations up to m004 and a
    plain SHA-256 chain."""
    from surveyapp.store import schema

    db = store.connect(path, create=True)
    schema.migrations.apply(db, stop_before="m005_auth_sessions")
    prev = audit.GENESIS
    with store.immediate(db):
        for n in range(rows):
            at, details = f"2024-01-0{n + 1}T00:00:00.000000Z", json.dumps({"rows": n})
            digest = audit.plain_hash(prev, at, "ada", "export", details)
            db.execute(
                "INSERT INTO audit (at, actor, action, details, prev_hash, hash)"
                " VALUES (?, ?, 'export', ?, ?, ?)",
                [at, "ada", details, prev, digest],
            )
            prev = digest
    db.close()


def test_an_unkeyed_log_is_anchored_when_the_app_upgrades_it(make_app, tmp_path, runner):
    path = tmp_path / "old.db"
    _old_database(path, 3)
    app = make_app(DATABASE=str(path))  # applies m005 with the key
    db = store.thread_connection(str(path))
    switch = audit.entries(db, 1, 0)[0]
    assert (switch["id"], switch["action"]) == (4, "audit_key")
    assert switch["details"] == {"plain_chain_rows": 3}
    assert audit.unkeyed_rows(db) == 3
    audit.record(db, "ada", "export", rows=7)
    assert audit.verify(db) == []
    assert app.test_cli_runner().invoke(args=["verify-audit"]).exit_code == 0
    # Editing an old row and recomputing the plain chain breaks the keyed entry's link.
    _rewrite_as_plain_chain(db, 2, '{"rows": 99}', upto=3)
    assert audit.verify(db) == [f"row 4: links to {_hash(db, 4)[:12]}, previous row is "
                                f"{_hash_of_row(db, 3)[:12]}"]  # fmt: skip


def test_dropping_the_switch_over_and_keyed_rows_is_detected(make_app, tmp_path):
    path = tmp_path / "old.db"
    _old_database(path, 3)
    make_app(DATABASE=str(path))
    db = store.thread_connection(str(path))
    audit.record(db, "ada", "export", rows=7)
    _rewrite_as_plain_chain(db, 2, '{"rows": 99}', drop={4})
    assert "row 5: content does not match its hash" in audit.verify(db)


def test_the_audit_key_is_made_once_outside_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("SURVEYAPP_DATABASE", str(tmp_path / "live.db"))
    monkeypatch.delenv("SURVEYAPP_AUDIT_KEY", raising=False)
    create_app(init_db=True)
    key_file = tmp_path / "instance" / "audit_key"
    key = key_file.read_text()
    assert len(key) == 64 and key_file.stat().st_mode & 0o777 == 0o600
    app = create_app(init_db=True)
    db = store.thread_connection(app.config["DATABASE"])
    audit.record(db, "ada", "backup", path="b.db")
    assert key_file.read_text() == key and audit.verify(db, key=key.encode()) == []
    assert key.encode() not in (tmp_path / "live.db").read_bytes()
    monkeypatch.setenv("SURVEYAPP_AUDIT_KEY", "from the environment")
    assert create_app(init_db=True).config["AUDIT_KEY"] == "from the environment"
    assert audit.verify(db) == ["row 1: content does not match its hash"]
    store.close_thread_connections()
