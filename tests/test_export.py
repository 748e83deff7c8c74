"""Exports round-trip awkward text; formula-like text is neutralised in CSV and marked
quotePrefix (kept exact) in XLSX."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from surveyapp import create_app, store
from surveyapp.exchange import export
from surveyapp.exchange.cells import neutralise
from surveyapp.exchange.importer import import_file
from surveyapp.store import listing
from tests.adminkit import add, admin_client, cmo

pytestmark = pytest.mark.both_engines

PETS = Path(__file__).parent / "admin_questionnaires"
AWKWARD = [
    "plain, with a comma",
    'she said "no", twice',
    "line one\nline two\r\nline three",
    "Zürich – 東京 – naïve – 😀",
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\tleading tab",
    "\rleading CR",
    "-5",
    "\0NUL first",
]
CMO_HEADER = [
    "response_id", "submitted_at", "edition", "version", "status", "not_shown", "language",
    "manufactures_for_clients", "company_size", "region",
    *[f"problems-{item}" for item in (
        "communicate", "timeframes", "cost_containment", "process_variability", "tech_transfer",
        "scale_differences", "difficult_problems", "regulatory_role", "hand_off",
        "unsuitable_cell_lines",
    )],
    "comments",
]  # fmt: skip


@pytest.fixture
def awkward(app):
    ids = [
        add(app, "cmo", cmo(comments=text), submitted_at=f"2026-03-01T10:00:{n:02d}.000000Z")
        for n, text in enumerate(AWKWARD)
    ]
    return app, ids


def test_neutralise():
    for text in ("=1+1", "+1", "-1+1", "@A1", "\tx", "\rx", "\0x", "-", "=", "-1e5"):
        assert neutralise(text) == "'" + text
    for text in ("-5", "-0.25", "12", "a=b", "", "'=quoted already"):
        assert neutralise(text) == text


def test_csv_round_trip(awkward):
    app, ids = awkward
    response = admin_client(app).get("/admin/surveys/cmo/export.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert 'filename="cmo.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert rows[0] == CMO_HEADER
    assert [r[0] for r in rows[1:]] == ids
    assert [r[-1] for r in rows[1:]] == [neutralise(t) for t in AWKWARD]
    assert rows[5][-1] == "'" + AWKWARD[4] and rows[11][-1] == "-5"
    assert rows[1][2:10] == [
        "2012",
        app.extensions["surveys"]["cmo"][2012].version,
        "completed",
        "",
        "",
        "yes",
        "small",
        "europe",
    ]


def test_jsonl_keeps_text_exactly(awkward):
    app, ids = awkward
    response = admin_client(app).get("/admin/surveys/cmo/export.jsonl")
    lines = response.get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(AWKWARD)
    assert [r["comments"] for r in records] == AWKWARD
    assert list(records[0]) == CMO_HEADER
    assert records[0]["response_id"] == ids[0] and records[0]["edition"] == 2012


def xlsx_rows(data: bytes, sheet: str = "responses") -> list[list]:
    # OOXML stores control characters as _xHHHH_ (Excel decodes them); openpyxl leaves them.
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [
        [unescape(c) if isinstance(c, str) else c for c in r]
        for r in book[sheet].iter_rows(values_only=True)
    ]


def test_xlsx_round_trip_holds_no_formula(awkward):
    app, _ids = awkward
    response = admin_client(app).get("/admin/surveys/cmo/export.xlsx")
    assert response.status_code == 200
    data = response.get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == 2
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    rows = xlsx_rows(data)
    assert rows[0] == CMO_HEADER
    assert [r[-1] for r in rows[1:]] == AWKWARD
    assert rows[1][1] == datetime(2026, 3, 1, 10, 0, 0)
    assert rows[1][2] == 2012
    assert rows[1][4:6] == ["completed", None]
    assert all(isinstance(c, str) for c in rows[1][7:])


def test_xlsx_marks_formula_text_quote_prefixed_and_sets_up_the_sheet(awkward):
    app, _ids = awkward
    data = admin_client(app).get("/admin/surveys/cmo/export.xlsx").get_data()
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["responses"]
    comments = CMO_HEADER.index("comments") + 1
    for row, text in enumerate(AWKWARD, 2):
        cell = sheet.cell(row, comments)
        assert cell.quotePrefix == (neutralise(text) != text), text
    assert sheet.freeze_panes == "A2"
    last = sheet.cell(1, len(CMO_HEADER)).column_letter
    assert sheet.auto_filter.ref == f"A1:{last}{len(AWKWARD) + 1}"
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet.cell(2, 2).is_date and sheet.cell(2, 2).number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.column_dimensions["B"].width == 20
    assert sheet.column_dimensions[sheet.cell(1, comments).column_letter].width == 48
    codebook = xlsx_rows(data, "codebook")
    assert codebook[0] == export.CODEBOOK
    assert codebook[1:] == [list(r) for r in export.codebook_rows(app.extensions["surveys"]["cmo"])]


def test_labels_and_multiple_choice(make_app):
    app = make_app(PETS)
    add(app, "pets", {"pets": ["cat", "fish"], "views-allowed": "disagree"}, edition=2024)
    add(app, "pets", {"office": "north", "pets": ["dog"], "comments": "=1+1"}, edition=2025)
    client = admin_client(app)
    codes = list(csv.reader(io.StringIO(client.get("/admin/surveys/pets/export.csv").text)))
    assert codes[0][7:] == ["pets", "views-allowed", "views-quiet", "comments", "office"]
    assert codes[1][7:] == ["cat;fish", "disagree", "", "", ""]
    assert codes[2][7:] == ["dog", "", "", "'=1+1", "north"]
    labels = client.get("/admin/surveys/pets/export.csv?labels=1")
    assert 'filename="pets-labels.csv"' in labels.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(labels.text)))
    assert rows[1][7:9] == ['Cat;Fish, goldfish "mostly"', "'=Disagree (formula-like label)"]
    assert rows[2][-1] == "North"
    jsonl = client.get("/admin/surveys/pets/export.jsonl?labels=1").text.splitlines()
    first = json.loads(jsonl[0])
    assert first["pets"] == ["Cat", 'Fish, goldfish "mostly"']
    assert first["views-allowed"] == "=Disagree (formula-like label)"
    only = list(
        csv.reader(io.StringIO(client.get("/admin/surveys/pets/export.csv?edition=2025").text))
    )
    assert only[0][7:] == ["office", "pets", "comments"] and len(only) == 2


def test_codebook(make_app):
    app = make_app(PETS)
    response = admin_client(app).get("/admin/surveys/pets/codebook.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == export.CODEBOOK
    assert [r[0] for r in rows[1:8]] == export.META
    # each row names the SPSS and Stata variable and the number a code has there (a
    # multiple-choice option is its own 0/1 variable)
    assert ["pets", "Which pets do you keep?", "", "multiple_choice", "cat", "Cat", "pets_cat",
            "pets_cat", "1"] in rows  # fmt: skip
    assert ["views-allowed", "Pets at work", "Pets should be allowed", "rating_matrix",
            "disagree", "'=Disagree (formula-like label)", "views_allowed", "views_allowed",
            "3"] in rows  # fmt: skip
    assert ["comments", "Comments", "", "long_text", "", "", "comments", "comments", ""] in rows
    assert ["office", "Which office?", "", "dropdown", "south", "South", "office", "office",
            "2"] in rows  # fmt: skip
    assert rows[-3:] == [
        ["", "Missing-value code", "", "missing", "blank", "Shown, left blank", "", "",
         "sav -99, dta .a"],
        ["", "Missing-value code", "", "missing", "not_shown", "Not shown (skip logic)", "", "",
         "sav -98, dta .b"],
        ["", "Missing-value code", "", "missing", "not_applicable", "Not applicable", "", "",
         "sav -97, dta .c"],
    ]  # fmt: skip
    assert [r[0] for r in rows[1:]].index("office") > [r[0] for r in rows[1:]].index("comments")


def test_time_filter_on_exports(awkward):
    app, ids = awkward
    client = admin_client(app)
    text = client.get(
        "/admin/surveys/cmo/export.jsonl?since=2026-03-01T10:00:02Z&until=2026-03-01T10:00:04Z"
    ).text
    assert [json.loads(line)["response_id"] for line in text.splitlines()] == ids[2:4]
    assert client.get("/admin/surveys/cmo/export.csv?until=soon").status_code == 400
    assert client.get("/admin/surveys/cmo/export.pdf").status_code == 404
    assert client.get("/admin/surveys/nope/export.csv").status_code == 404


def test_export_reads_in_batches(awkward, db):
    app, ids = awkward
    rows = listing.response_rows(db, "cmo", batch=3)
    assert [row[0] for row in rows] == ids


def test_cli_export(awkward, runner, tmp_path):
    app, ids = awkward
    target = tmp_path / "out.xlsx"
    result = runner.invoke(args=["export", "cmo", "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(target, read_only=True)
    assert [r[0] for r in workbook.active.iter_rows(min_row=2, values_only=True)] == ids
    workbook.close()
    result = runner.invoke(args=["export", "cmo", "--format", "jsonl", "--labels"])
    assert result.exit_code == 0
    first = json.loads(result.output.splitlines()[0])
    assert first["company_size"] == "Fewer than 50 employees"
    assert first["comments"] == AWKWARD[0]
    result = runner.invoke(args=["export", "cmo", "--codebook"])
    assert result.output.startswith("column,question,item,type,code,label")
    assert runner.invoke(args=["export", "nope"]).exit_code != 0
    assert "No edition 1999" in runner.invoke(args=["export", "cmo", "--edition", "1999"]).output
    assert runner.invoke(args=["export", "cmo", "--since", "soon"]).exit_code != 0


def test_jsonl_export_imports_back_exactly(make_app, tmp_path):
    app = make_app(PETS)
    answers = [
        {"pets": ["cat", "fish"], "views-allowed": "agree", "views-quiet": "disagree",
         "comments": AWKWARD[2] + AWKWARD[4]},
        {"pets": ["dog"], "views-allowed": "agree_strongly", "views-quiet": "agree",
         "comments": AWKWARD[3]},
    ]  # fmt: skip
    for one in answers:
        add(app, "pets", one, edition=2024)
    data = admin_client(app).get("/admin/surveys/pets/export.jsonl?edition=2024").get_data()
    other = create_app({
        "TESTING": True, "SECRET_KEY": "t", "DATABASE": str(tmp_path / "other.db"),
        "SURVEY_FOLDERS": [str(PETS)],
    }, init_db=True)  # fmt: skip
    db = store.thread_connection(other.config["DATABASE"])
    result = import_file(db, other.extensions["surveys"], "pets", 2024, data, name="pets.jsonl")
    assert result.ok and result.created == 2, result.errors
    stored = [json.loads(r["answers"]) for r in db["responses"].rows_where(order_by="submitted_at")]
    assert stored == answers


def test_survey_page_links_labelled_xlsx_with_its_filters(app):
    page = admin_client(app).get("/admin/surveys/cmo?edition=2012&since=2026-01-01").text
    links = [h for h in re.findall(r'href="([^"]*export\.xlsx[^"]*)"', page) if "labels=1" in h]
    assert len(links) == 1 and "edition=2012" in links[0] and "since=2026-01-01" in links[0]
