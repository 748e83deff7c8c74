"""The bulk write path (db.insert_many) stores exactly what one-by-one inserts store."""

from __future__ import annotations

import io
import random
import zipfile

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from surveyapp import store
from surveyapp.exchange import xlsx
from surveyapp.figures import tallies
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.store import schema

pytestmark = pytest.mark.both_engines

SCALE = ["very_common", "somewhat_common", "rare", "not_a_problem"]


def cmo_rows(app, count: int, seed: int = 1) -> list[dict]:
    definition = app.extensions["surveys"]["cmo"][2012]
    items = [item.code for item in definition.question("problems").items]
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        answers = {"company_size": rng.choice(["small", "medium", "large"])}
        if rng.random() < 0.8:
            answers["region"] = rng.choice(["europe", "asia", "other"])
        answers |= {f"problems-{i}": rng.choice(SCALE) for i in items if rng.random() < 0.9}
        if rng.random() < 0.3:
            answers["comments"] = f"note {n}"
        rows.append({
            "survey": "cmo", "edition": 2012, "version": definition.version,
            "answers": answers, "counted": counted_fields(definition),
            "response_id": f"r{n}", "submission_key": f"k{n}" if n % 2 else None,
            "submitted_at": f"2026-01-01T00:00:{n % 60:02d}.000000Z",
        })  # fmt: skip
    return rows


def contents(db) -> dict[str, list]:
    return {
        "responses": db.execute(
            "SELECT id, response_id, submission_key, survey, edition, version, submitted_at,"
            " answers FROM responses ORDER BY id"
        ).fetchall(),
        "answers": db.execute(
            "SELECT response, survey, edition, field, value FROM answers"
            " ORDER BY response, field, value"
        ).fetchall(),
        "counters": db.execute("SELECT * FROM counters ORDER BY 1, 2, 3, 4").fetchall(),
    }


def test_bulk_matches_one_by_one(make_app, tmp_path):
    app = make_app()
    rows = cmo_rows(app, 60)
    one_by_one = store.connect(tmp_path / "single.db", create=True)
    schema.init_db(one_by_one)
    for row in rows:
        store.insert_response(one_by_one, **row)
    bulk = store.thread_connection(app.config["DATABASE"])
    assert store.insert_many(bulk, rows[:25]) == 25
    assert store.insert_many(bulk, rows[25:]) == 35
    assert contents(bulk) == contents(one_by_one)
    assert tallies.verify_tallies(bulk, app.extensions["surveys"]) == []


def test_bulk_skips_known_ids_and_keys(app, db):
    rows = cmo_rows(app, 10)
    assert store.insert_many(db, rows[:4]) == 4
    before = contents(db)
    assert store.insert_many(db, rows[:4]) == 0
    assert contents(db) == before
    same_key = dict(rows[5], response_id="other")  # submission key k5 arrives twice
    repeated = [rows[3], rows[4], rows[4], rows[5], same_key, dict(rows[1], submission_key="x")]
    assert store.insert_many(db, repeated) == 2
    stored = [r[1] for r in contents(db)["responses"]]
    assert stored == ["r0", "r1", "r2", "r3", "r4", "r5"]
    assert db.execute("SELECT count FROM counters WHERE field = '*'").fetchone()[0] == 6
    assert tallies.verify_tallies(db, app.extensions["surveys"]) == []


def test_bulk_removes_drafts_of_its_keys(app, db):
    rows = cmo_rows(app, 2)
    store.save_draft(db, "k1", "cmo", {"region": "asia"})
    store.save_draft(db, "kept", "cmo", {"region": "asia"})
    store.insert_many(db, rows)
    assert store.load_draft(db, "k1") == {} and store.load_draft(db, "kept")


def test_bulk_failure_stores_nothing(app, db):
    rows = cmo_rows(app, 20)
    store.insert_many(db, rows[:5])
    before = contents(db)
    with pytest.raises(store.IntegrityError):
        store.insert_many(db, [*rows[5:19], dict(rows[19], version=None)])
    assert contents(db) == before
    assert tallies.verify_tallies(db, app.extensions["surveys"]) == []


def test_xlsx_starts_before_reading_rows_and_escapes():
    read = []

    def rows():
        for n, text in enumerate(["_x0041_ literal", " spaced ", "a < b & c", "\x01ctl"]):
            read.append(n)
            yield [text, n]

    chunks = xlsx.stream(xlsx.Sheet("sheet", rows(), header=False))
    first = next(chunks)
    assert first and read == []
    data = first + b"".join(chunks)
    assert read == [0, 1, 2, 3]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f" not in sheet and b"_x005F_x0041_" in sheet
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    values = [[unescape(c) if isinstance(c, str) else c for c in r]
              for r in book.active.iter_rows(values_only=True)]  # fmt: skip
    assert values == [["_x0041_ literal", 0], [" spaced ", 1], ["a < b & c", 2], ["\x01ctl", 3]]
