"""The respondent side's store on each engine: text search folds case and diacritics and
matches every word as a prefix, text answers come back whole or bounded, and one
submission key stores one response however many connections send it at once."""

from __future__ import annotations

import pytest

from bench.loadgen import in_threads
from surveyapp import store
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.store import counts, listing, recover, removal, search
from tests.adminkit import add, cmo

pytestmark = pytest.mark.both_engines

COMMENTS = ["Zürich team was GREAT", "slow_paperwork and 2nd-rate prices", "Ærø ferry: ok"]


@pytest.fixture
def commented(app):
    ids = [add(app, "cmo", cmo("small", "europe", comments=text)) for text in COMMENTS]
    return store.thread_connection(app.config["DATABASE"]), ids


def found(db, query: str) -> list[int]:
    condition = search.condition(db, query)
    if condition is None:
        return []
    sql, param = condition
    rows = db.execute(f"SELECT id FROM responses WHERE {sql} ORDER BY id", [param])  # noqa: S608
    return [row[0] for row in rows.fetchall()]


def test_search_folds_case_and_diacritics_and_matches_prefixes(commented):
    db, _ids = commented
    first, second, third = (row[0] for row in db.execute("SELECT id FROM responses ORDER BY id"))
    assert found(db, "zurich") == [first] and found(db, "ZÜR great") == [first]
    assert found(db, "gre tea") == [first] and found(db, "great slow") == []
    assert found(db, "paperwork") == [second] and found(db, "2nd rate") == [second]
    assert found(db, "aero") == [] and found(db, "ærø") == [third]
    assert found(db, "europe") == []  # a code, not a text answer
    assert found(db, "\"AND OR*( ') & !x:*") == []  # no query syntax gets through
    assert search.condition(db, " ,;! ") is None


def test_an_excluded_response_leaves_the_search(commented):
    db, ids = commented
    rowid = db.execute("SELECT id FROM responses WHERE response_id = ?", [ids[0]]).fetchone()[0]
    with store.immediate(db):
        search.unindex(db, rowid)
    assert found(db, "zurich") == []


def test_text_answers_come_whole_or_bounded(commented):
    db, _ids = commented
    every = listing.text_answers(db, "cmo", 2012, ["comments"])
    assert every == [("comments", text) for text in COMMENTS]
    assert listing.text_answers(db, "cmo", 2012, ["comments"], 2) == every[:2]


def test_one_key_from_many_connections_stores_one_response(app):
    database, outcomes, errors = app.config["DATABASE"], [], []
    definition = app.extensions["surveys"]["cmo"][2012]

    def submit(_number: int) -> None:
        db = store.connect(database)
        try:
            outcomes.append(store.insert_response(
                db, survey="cmo", edition=2012, version=definition.version,
                answers={"region": "asia"}, counted=["region"], submission_key="one-key",
            ))  # fmt: skip
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            db.close()

    in_threads(8, submit, join_timeout=60)
    assert errors == []
    assert sorted(created for _id, created in outcomes) == [False] * 7 + [True]
    assert len({response_id for response_id, _created in outcomes}) == 1
    db = store.thread_connection(database)
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 1
    assert counts.counter_rows(db, "cmo", 2012)[("region", "asia")] == 1


def test_recover_offers_what_a_sqlite_file_holds_and_the_live_database_lacks(make_app, tmp_path):
    live_app = make_app()
    copy_app = make_app(DATABASE=str(tmp_path / "copy.db"))  # always a SQLite file
    assert copy_app.config["DATABASE"] != live_app.config["DATABASE"]
    for response_id, key in [("both", None), ("only-copy", "k1"), ("resent", "k2"), ("gone", None)]:
        add(copy_app, "cmo", cmo(), response_id=response_id, submission_key=key)
    add(live_app, "cmo", cmo(), response_id="both")
    add(live_app, "cmo", cmo(), response_id="resent-live", submission_key="k2")
    add(live_app, "cmo", cmo(), response_id="aside")
    add(copy_app, "cmo", cmo(), response_id="aside")
    live = store.thread_connection(live_app.config["DATABASE"])
    fields = set(counted_fields(live_app.extensions["surveys"]["cmo"][2012]))
    removal.change(live, "exclude", "cmo", "aside", reason="test", actor="ada", counted=fields)
    copy = store.thread_connection(copy_app.config["DATABASE"])
    copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / "copy.db"
    assert [row["response_id"] for row in recover.missing(live, path)] == ["only-copy", "gone"]
    [chosen] = recover.fetch(live, path, ["gone"])
    assert chosen["response_id"] == "gone" and chosen["answers"] == cmo()
    assert [row["response_id"] for row in recover.fetch(live, path, None)] == ["only-copy", "gone"]
