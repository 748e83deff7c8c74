"""Importing history: every row checked, all or nothing, exact counters, no duplicates."""

from __future__ import annotations

import hashlib
import json

import pytest

from surveyapp.exchange.importer import import_file
from tests.history import DATA, HISTORY, count, counters, fixture_rows, history_app, recount

pytestmark = pytest.mark.both_engines

HEADER = "response_id,submitted_at,edition,company_size,region,problems-timeframes\n"


@pytest.fixture
def app(make_app):
    return history_app(make_app)


@pytest.fixture
def catalog(app):
    return app.extensions["surveys"]


@pytest.fixture
def tools(make_app):
    app = make_app(DATA / "picks")
    from surveyapp import store

    return store.thread_connection(app.config["DATABASE"]), app.extensions["surveys"]


def test_imports_a_multi_year_history_with_exact_counters(db, catalog):
    for edition, path in HISTORY.items():
        result = import_file(db, catalog, "cmo", edition, path)
        assert result.ok, result.errors
        assert (result.rows, result.created, result.skipped) == (
            len(fixture_rows(edition)),
            result.rows,
            0,
        )
    by_edition = dict(
        db.execute("SELECT edition, count(*) FROM responses GROUP BY edition").fetchall()
    )
    assert by_edition == {2010: 39, 2011: 50, 2012: 36}
    assert counters(db) == recount(db)
    assert counters(db)[("cmo", 2011, "problems-timeframes", "very_common")] == sum(
        row["problems-timeframes"] == "very_common" for row in fixture_rows(2011)
    )
    # 2010 had no hand_off item: no answers, no counters (a gap, not a zero).
    assert ("cmo", 2010, "problems-hand_off", "*") not in counters(db)
    stored = db.execute(
        "SELECT submitted_at, answers, version FROM responses WHERE response_id = 'hist-2010-000'"
    ).fetchone()
    assert stored[0] == "2010-05-01T10:00:00.000000Z"
    assert (
        json.loads(stored[1])["problems-timeframes"] == fixture_rows(2010)[0]["problems-timeframes"]
    )
    assert stored[2] == catalog["cmo"][2010].version


def test_reimport_does_not_duplicate(db, catalog):
    for path, edition in ((HISTORY[2010], 2010), (HISTORY[2011], 2011)):  # with and without ids
        first = import_file(db, catalog, "cmo", edition, path)
        before = (count(db, "responses"), count(db, "answers"), counters(db))
        again = import_file(db, catalog, "cmo", edition, path)
        assert again.ok and again.seen_before and not first.seen_before
        assert (again.created, again.skipped) == (0, first.rows)
        assert (count(db, "responses"), count(db, "answers"), counters(db)) == before
    rows = db.execute("SELECT survey, edition, file_hash, rows, created FROM imports").fetchall()
    assert [(r[1], r[3], r[4]) for r in rows] == [
        (2010, 39, 39),
        (2010, 39, 0),
        (2011, 50, 50),
        (2011, 50, 0),
    ]
    assert rows[0][2] == rows[1][2] and len(rows[0][2]) == 64


def test_rows_without_ids_get_ids_from_file_hash_and_row(db, catalog):
    data = HISTORY[2011].read_bytes()
    assert b"response_id" not in data
    assert import_file(db, catalog, "cmo", 2011, data, name="upload.jsonl").created == 50
    digest = hashlib.sha256(data).hexdigest()
    ids = [r for (r,) in db.execute("SELECT response_id FROM responses ORDER BY id")]
    assert ids == [f"cmo-2011-{digest[:16]}-r{n}" for n in range(1, 51)]
    stored = db.execute("SELECT file_hash, rows, created FROM imports").fetchall()
    assert stored == [(digest, 50, 50)]
    # The same bytes uploaded under another name are the same import.
    again = import_file(db, catalog, "cmo", 2011, data, name="renamed.jsonl")
    assert again.seen_before and again.created == 0 and count(db, "responses") == 50


def test_a_file_with_several_bad_rows_is_refused_whole(db, catalog, tmp_path):
    lines = HISTORY[2012].read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("very_common", "sometimes", 1)
    lines[9] = lines[9].replace(",2012,", ",2011,", 1)
    lines[17] = lines[17].replace("T10:", " at ten ", 1)
    lines[30] = lines[30].replace(",small,", ",tiny,", 1).replace(",medium,", ",tiny,", 1)
    lines[30] = lines[30].replace(",large,", ",tiny,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(db, catalog, "cmo", 2012, bad)
    first_bad = next(c for c in lines[0].split(",") if c.startswith("problems-") and
                     lines[3].split(",")[lines[0].split(",").index(c)] == "sometimes")  # fmt: skip
    assert result.errors == [
        f"{bad}:row 4: {first_bad}: unknown code 'sometimes'",
        f"{bad}:row 10: edition: '2011' is not the edition imported (2012)",
        f"{bad}:row 18: submitted_at: '{lines[17].split(',')[1]}' is not an ISO 8601 date and time"
        " (e.g. 2011-05-03T14:20:00Z)",
        f"{bad}:row 31: company_size: unknown code 'tiny'",
    ]
    assert not result.ok and result.created == 0
    assert count(db, "responses") == count(db, "answers") == count(db, "counters") == 0
    assert count(db, "imports") == 0


def test_unknown_and_repeated_columns_are_errors(db, catalog):
    data = b"response_id,region,colour,region\nx,europe,red,asia\n"
    result = import_file(db, catalog, "cmo", 2012, data, "csv", name="f.csv")
    assert result.errors[:2] == [
        "f.csv:row 1: colour: unknown column",
        "f.csv:row 1: region: column appears twice",
    ]
    assert count(db, "responses") == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "f.csv: the file is empty"),
        (b"\xef\xbb\xbf\n \n", "f.csv: the file is empty"),
        (b"x,europe,rare\n", "f.csv:row 1: missing header: no known column in row 1 ('x', ...)"),
        (b",,\n1,2,3\n", "f.csv:row 1: missing header: row 1 must name the columns"),
        (
            b"region;company_size\neurope;small\n",
            "f.csv:row 1: missing header: no known column in row 1 ('region;company_size', ...)"
            ": separate columns with commas",
        ),
        (
            HEADER.encode() + b"a,,2012,small,europe,rare\nb,,2012,sm\xe9ll,europe,rare\n",
            "f.csv:row 3: not valid UTF-8 (byte 0xe9): save the file as UTF-8",
        ),
        (HEADER.encode(), "f.csv: no data rows"),
        (HEADER.encode() + b"a,,2012,small\n", "f.csv:row 2: 4 cells, but the header has 6"),
    ],
)
def test_unreadable_files_get_clear_errors(db, catalog, data, message):
    result = import_file(db, catalog, "cmo", 2012, data, "csv", name="f.csv")
    assert result.errors[0] == message
    assert count(db, "responses") == 0


def test_duplicate_response_ids_in_one_file(db, catalog):
    rows = fixture_rows(2010)[:2]
    rows[1]["response_id"] = rows[0]["response_id"]
    data = "\n".join(json.dumps(r) for r in rows).encode()
    result = import_file(db, catalog, "cmo", 2010, data, name="dup.jsonl")
    assert result.errors == ["dup.jsonl:row 2: response_id: 'hist-2010-000' already used on row 1"]


def test_jsonl_lines_are_numbered_and_checked(db, catalog):
    good = json.dumps(fixture_rows(2010)[0] | {"response_id": "j1"})
    data = f'{good}\n\n[1, 2]\nnot json\n{{"colour": "red"}}\n'.encode()
    result = import_file(db, catalog, "cmo", 2010, data, name="f.jsonl")
    assert result.errors[0] == "f.jsonl:row 3: must be a JSON object of column: value"
    assert result.errors[1].startswith("f.jsonl:row 4: not valid JSON")
    assert result.errors[2] == "f.jsonl:row 5: colour: unknown column"
    assert count(db, "responses") == 0


def test_format_from_extension_or_option(db, catalog, tmp_path):
    odd = tmp_path / "history.txt"
    odd.write_bytes(HISTORY[2010].read_bytes())
    result = import_file(db, catalog, "cmo", 2010, odd)
    assert result.errors == [f"{odd}: cannot tell the format: name it .csv or .jsonl"]
    assert import_file(db, catalog, "cmo", 2010, odd, "csv").created == 39


def test_edition_without_definition_uses_the_latest(db, catalog):
    """2009 has no definition file: rows are checked against cmo 2012 (which has hand_off)."""
    rows = fixture_rows(2012)[:3]
    for row in rows:
        row["edition"] = "2009"
        row["response_id"] += "-2009"
    data = "\n".join(json.dumps(r) for r in rows).encode()
    result = import_file(db, catalog, "cmo", 2009, data, name="old.jsonl")
    assert result.ok and result.created == 3
    version = db.execute("SELECT DISTINCT version FROM responses WHERE edition = 2009").fetchall()
    assert version == [(catalog["cmo"][2012].version,)]
    # The 2010 file has no hand_off column: not asked, so never a required-answer error.
    missing = import_file(db, catalog, "cmo", 2009, HISTORY[2010])
    assert missing.errors and not any("hand_off" in e for e in missing.errors)
    assert all("edition: '2010' is not the edition imported (2009)" in e for e in missing.errors)


def test_unknown_questionnaire(db, catalog):
    result = import_file(db, catalog, "nope", 2012, HISTORY[2012])
    assert result.errors == [f"{HISTORY[2012]}: there is no questionnaire called 'nope'"]


def test_multiple_choice_codes_joined_by_semicolons(tools):
    db, catalog = tools
    data = b'tools,staff,note\nlims;eln,3,"semi; colon kept"\nmes,,\nlims;lims,x,\nlims;typo,1.5,\n'
    result = import_file(db, catalog, "tools", 2020, data, "csv", name="t.csv")
    assert result.errors == [
        "t.csv:row 4: tools: Each option can be picked only once.",
        "t.csv:row 4: staff: Please enter a number.",
        "t.csv:row 5: tools: unknown code 'typo'",
        "t.csv:row 5: staff: Please enter a whole number.",
    ]
    good = "\n".join(data.decode().splitlines()[:3]).encode()
    result = import_file(db, catalog, "tools", 2020, good, "csv", name="t.csv")
    assert result.created == 2
    answers = [json.loads(a) for (a,) in db.execute("SELECT answers FROM responses ORDER BY id")]
    assert answers == [
        {"tools": ["lims", "eln"], "staff": "3", "note": "semi; colon kept"},
        {"tools": ["mes"]},
    ]
    assert counters(db)[("tools", 2020, "tools", "lims")] == 1
    assert counters(db)[("tools", 2020, "tools", "*")] == 2
    listed = b'{"tools": ["eln", "mes"], "staff": 4}\n{"tools": "lims;mes", "staff": null}\n'
    result = import_file(db, catalog, "tools", 2020, listed, name="t.jsonl")
    assert result.ok and result.created == 2
    assert counters(db)[("tools", 2020, "tools", "mes")] == 3


def test_cli_import_reports_every_problem_and_exit_code(app, db, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "cmo", "--edition", "2010", str(HISTORY[2010])])
    assert result.exit_code == 0, result.output
    assert "Imported 39 response(s) into cmo 2010; 0 already present." in result.output
    again = runner.invoke(args=["import", "cmo", "--edition", "2010", str(HISTORY[2010])])
    assert (
        "Imported 0 response(s) into cmo 2010; 39 already present (this file was imported before)"
        in again.output
    )
    bad = tmp_path / "bad.data"
    bad.write_text(
        HEADER + "a,,2012,small,europe,sometimes\nb,,2012,small,mars,rare\n", encoding="utf-8"
    )
    result = runner.invoke(args=["import", "cmo", "--edition", "2012", "--format", "csv", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:row 2: problems-timeframes: unknown code 'sometimes'" in result.stderr
    assert f"{bad}:row 3: region: unknown code 'mars'" in result.stderr
    assert "problem(s): nothing imported." in result.stderr
    assert count(db, "responses") == 39
    help_text = " ".join(runner.invoke(args=["import", "--help"]).output.split())
    assert "the header is row 1, the first data row is row 2" in help_text
