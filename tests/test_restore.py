"""`restore` while respondents write, the responses it discards, `recover`, and what the
running server answers meanwhile (maintenance)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from surveyapp import store
from surveyapp.figures import tallies
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.store import audit, maintenance
from surveyapp.store import restore as restoring
from tests.walker import TOKEN, Respondent, cmo_answers, hidden

THREADS = 6
PER_THREAD = 600  # bound on each respondent thread's inserts
WAIT = 30.0  # bound on every wait for the respondents to get ahead


def _ids(path: Path | str) -> set[str]:
    db = store.connect(path)
    try:
        return {row[0] for row in db.execute("SELECT response_id FROM responses")}
    finally:
        db.close()


def _safety_and_listing(folder: Path) -> tuple[Path, list[dict]]:
    [safety] = folder.glob("test.db.before-restore-*Z")
    listing = safety.with_name(safety.name + ".discarded.csv")
    return safety, restoring.read_listing(listing) if listing.exists() else []


class Respondents:
    """Threads inserting responses through the store, each on its own connection;
    a response is acknowledged when insert_response returned."""

    def __init__(self, path: str):
        self.path, self.stop = path, threading.Event()
        self.acknowledged: list[str] = []
        self.refused = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(THREADS)]

    def _run(self, number: int) -> None:
        db = store.connect(self.path)
        try:
            for i in range(PER_THREAD):
                if self.stop.is_set():
                    return
                try:
                    response_id, _ = store.insert_response(
                        db, survey="cmo", edition=2012, version="v", answers={"n": str(i)},
                        counted=[], submission_key=f"key-{number}-{i}",
                    )  # fmt: skip
                except store.DatabaseError:  # refused while restoring: not acknowledged
                    with self.lock:
                        self.refused += 1
                    time.sleep(0.002)
                    continue
                with self.lock:
                    self.acknowledged.append(response_id)
        finally:
            db.close()

    def wait_for(self, more: int) -> None:
        target, deadline = len(self.acknowledged) + more, time.monotonic() + WAIT
        while len(self.acknowledged) < target and time.monotonic() < deadline:
            if not any(t.is_alive() for t in self.threads):
                return
            time.sleep(0.01)


def test_restore_under_thread_load_accounts_for_every_acknowledged_response(app, runner, tmp_path):
    respondents = Respondents(app.config["DATABASE"])
    for thread in respondents.threads:
        thread.start()
    try:
        respondents.wait_for(100)
        backed_up = runner.invoke(args=["backup", str(tmp_path / "backup.db")])
        respondents.wait_for(200)
        restored = runner.invoke(args=["restore", str(tmp_path / "backup.db"), "--yes"])
        respondents.wait_for(100)
    finally:
        respondents.stop.set()
        for thread in respondents.threads:
            thread.join(timeout=60)
    assert backed_up.exit_code == 0, backed_up.output
    assert restored.exit_code == 0, restored.output
    safety, listing = _safety_and_listing(tmp_path)
    live, kept = _ids(app.config["DATABASE"]), _ids(safety)
    listed = {row["response_id"] for row in listing}
    acknowledged = set(respondents.acknowledged)
    unaccounted = acknowledged - live - (listed & kept)
    assert not unaccounted, f"{len(unaccounted)} acknowledged responses are nowhere"
    assert listed, "responses were acknowledged between the backup and the restore"
    assert not listed & live
    assert listed == kept - _ids(tmp_path / "backup.db")
    assert all(response_id in restored.output for response_id in listed)
    assert acknowledged & live - kept, "respondents kept writing after the restore"


def _insert(db, definition, rating: str, key: str) -> str:
    answers = {"company_size": "small", "problems-timeframes": rating}
    response_id, _ = store.insert_response(
        db, survey="cmo", edition=2012, version=definition.version, answers=answers,
        counted=counted_fields(definition), submission_key=key,
    )  # fmt: skip
    return response_id


def _counters(db) -> dict[tuple[str, str], int]:
    return {(f, v): n for f, v, n in db.execute("SELECT field, value, count FROM counters")}


def test_restore_lists_what_it_discards_and_recover_brings_it_back(app, runner, db, tmp_path):
    definition = app.extensions["surveys"]["cmo"][2012]
    first = _insert(db, definition, "rare", "k1")
    assert runner.invoke(args=["backup", str(tmp_path / "backup.db")]).exit_code == 0
    second, third = (_insert(db, definition, r, k) for r, k in (("rare", "k2"), ("often", "k3")))
    before = _counters(db)
    result = runner.invoke(args=["restore", str(tmp_path / "backup.db"), "--yes"])
    assert result.exit_code == 0, result.output
    safety, listing = _safety_and_listing(tmp_path)
    assert [row["response_id"] for row in listing] == [second, third]
    assert [row["submission_key"] for row in listing] == ["k2", "k3"]
    assert second in result.output and third in result.output and str(safety) in result.output
    assert _ids(app.config["DATABASE"]) == {first}
    listed = runner.invoke(args=["recover", str(safety)])
    assert listed.exit_code == 0 and second in listed.output and third in listed.output
    assert _ids(app.config["DATABASE"]) == {first}
    assert runner.invoke(args=["recover", str(safety), second]).exit_code == 0
    assert _ids(app.config["DATABASE"]) == {first, second}
    again = runner.invoke(args=["recover", str(safety), second])
    assert again.exit_code != 0 and "already in the database" in again.output
    assert runner.invoke(args=["recover", str(safety), "--all"]).exit_code == 0
    assert _ids(app.config["DATABASE"]) == {first, second, third}
    assert _counters(db) == before
    assert tallies.verify_tallies(db, app.extensions["surveys"]) == []
    assert "0 response(s)" in runner.invoke(args=["recover", str(safety)]).output
    entries = {e["action"]: e["details"] for e in audit.entries(db, 10, 0)}
    assert entries["restore"]["discarded"] == 2 and entries["recover"]["responses"] == 1


def test_recover_refuses_unknown_ids_and_files_nothing_written(app, runner, db, tmp_path):
    definition = app.extensions["surveys"]["cmo"][2012]
    assert runner.invoke(args=["backup", str(tmp_path / "backup.db")]).exit_code == 0
    kept = _insert(db, definition, "rare", "k1")
    assert runner.invoke(args=["restore", str(tmp_path / "backup.db"), "--yes"]).exit_code == 0
    safety, _ = _safety_and_listing(tmp_path)
    result = runner.invoke(args=["recover", str(safety), kept, "nope"])
    assert result.exit_code != 0 and "nope" in result.output
    not_a_db = tmp_path / "junk.db"
    not_a_db.write_bytes(b"junk" * 1000)
    result = runner.invoke(args=["recover", str(not_a_db), "--all"])
    assert result.exit_code != 0 and "not a usable SQLite database" in result.output
    assert runner.invoke(args=["recover", str(safety), kept, "--all"]).exit_code != 0
    assert _ids(app.config["DATABASE"]) == set()


def test_a_failed_restore_changes_nothing(app, runner, db, tmp_path, monkeypatch):
    definition = app.extensions["surveys"]["cmo"][2012]
    assert runner.invoke(args=["backup", str(tmp_path / "backup.db")]).exit_code == 0
    kept = _insert(db, definition, "rare", "k1")

    def broken(live):
        raise restoring.BackupError("stopped half-way")

    monkeypatch.setattr(restoring, "_check_foreign_keys", broken)
    result = runner.invoke(args=["restore", str(tmp_path / "backup.db"), "--yes"])
    assert result.exit_code != 0 and "stopped half-way" in result.output
    assert _ids(app.config["DATABASE"]) == {kept}
    assert maintenance.restoring(db) is None and maintenance.generation(db) == 0
    with pytest.raises(store.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")
    assert _insert(db, definition, "often", "k2")


@pytest.mark.both_engines
def test_each_restore_is_a_new_generation_and_keeps_the_apps_definitions(app, runner, db, tmp_path):
    assert runner.invoke(args=["backup", str(tmp_path / "backup.db")]).exit_code == 0
    versions = {row[0] for row in db.execute("SELECT version FROM definitions")}
    for _ in range(2):
        assert runner.invoke(args=["restore", str(tmp_path / "backup.db"), "--yes"]).exit_code == 0
    assert maintenance.generation(db) == 2 and maintenance.restoring(db) is None
    assert {row[0] for row in db.execute("SELECT version FROM definitions")} >= versions


@pytest.mark.both_engines
def test_respondents_get_503_with_answers_kept_while_a_restore_runs(client, db):
    walker = Respondent(client, "cmo")
    pages = cmo_answers(comments="Kept while restoring")
    walker.open(1)
    walker.post(1, pages[0])
    walker.post(2, pages[1])
    tokens = hidden(walker.last.get_data(as_text=True))
    with pytest.raises(RuntimeError), maintenance.announced(db):
        refused = walker.post(3, pages[2], "submit", tokens=tokens)
        raise RuntimeError("the restore ends here")
    assert refused.status_code == 503
    assert "Kept while restoring" in refused.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    assert walker.post(3, pages[2], "submit", tokens=tokens).status_code == 302
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 1


@pytest.mark.both_engines
def test_admin_writes_while_a_restore_runs_get_503_not_500(client, db):
    token = TOKEN.search(client.get("/admin/login").get_data(as_text=True)).group(1)
    form = {"csrf_token": token, "username": "nobody", "password": "wrong"}
    with pytest.raises(RuntimeError), maintenance.announced(db):
        response = client.post("/admin/login", data=form)
        raise RuntimeError("the restore ends here")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "being restored" in response.get_data(as_text=True)
    assert client.post("/admin/login", data=form).status_code == 401


@pytest.mark.both_engines
def test_a_restore_that_died_leaves_no_maintenance_behind(app, db):
    with store.immediate(db):  # what a killed restore leaves: the row, but no lock holder
        db.execute("UPDATE maintenance SET restoring_pid = 1, since = 'then'")
    definition = app.extensions["surveys"]["cmo"][2012]
    assert maintenance.restoring(db) is None
    assert _insert(db, definition, "rare", "k1")


@pytest.mark.both_engines
def test_a_worker_boots_while_a_restore_runs(make_app, db):
    with pytest.raises(RuntimeError), maintenance.announced(db):
        assert maintenance.restoring(db)
        booted = make_app()
        raise RuntimeError("the restore ends here")
    assert booted.extensions["surveys"]


def test_the_discarded_listing_is_readable_by_its_owner_only(tmp_path):
    rows = [{"response_id": "r", "submission_key": "k", "survey": "s", "edition": 1,
             "submitted_at": "t"}]  # fmt: skip
    path = restoring.write_listing(tmp_path / "x.discarded.csv", rows)
    assert path.stat().st_mode & 0o077 == 0
    assert restoring.read_listing(path) == [{k: str(v) for k, v in rows[0].items()}]
