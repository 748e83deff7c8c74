"""Hostile text in answers and in definitions: exports neutralise every formula trigger
and keep everything else exact; pages show XSS payloads as text."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import openpyxl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.escape import unescape

from surveyapp import store
from surveyapp.exchange.cells import csv_cell, csv_text
from surveyapp.store import audit
from tests.adminkit import add, admin_client, login
from tests.conftest import examples
from tests.walker import hidden

pytestmark = pytest.mark.both_engines

CORPUS = [
    "=1+1", "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", '=HYPERLINK("http://x")',
    "=cmd|' /C calc'!A0", 'say "hi"', "a, b", "one\ntwo", "🧪 emoji", "＝1",
    ";=1+1", ",=1+1", "a\t=1", "x|@SUM(1)", "ok; -5", " -5", "a;  +1", "x;=cmd|' /C calc'!A0;y",
]  # fmt: skip
# What a spreadsheet would run: these get a leading "'". Fullwidth ＝ (U+FF1D) does not
# start a formula in Excel, LibreOffice or Google Sheets, so it stays exact.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# In CSV a spreadsheet may split a cell again at its own list separator or at a line
# break: each part that would start a formula gets its own "'" (only a cell that is a
# plain number as a whole stays, spaces aside).
CSV_PARTS = {
    "\t=1": "'\t'=1", "\r=1": "'\r'=1", ";=1+1": ";'=1+1", ",=1+1": ",'=1+1", "a\t=1": "a\t'=1",
    "x|@SUM(1)": "x|'@SUM(1)", "ok; -5": "ok; '-5", "a;  +1": "a;  '+1", "x;=cmd|' /C calc'!A0;y":
    "x;'=cmd|' /C calc'!A0;y",
}  # fmt: skip
SEPARATORS = (",", ";", "\t", "|")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
XSS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
    "javascript:alert(1)",
]  # fmt: skip
RAW_XSS = re.compile(r"<script>alert|<img src=x|<svg onload|href=\"javascript:", re.IGNORECASE)


def expected(text: str) -> str:
    formula = text.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(text)
    return "'" + text if formula else text


def expected_csv(text: str) -> str:
    return CSV_PARTS.get(text, expected(text))


def formula_parts(data: str) -> list[str]:
    """Fields that start a formula when `data` is read back splitting at each common
    separator in turn, as a spreadsheet in another locale would."""
    found = []
    for separator in SEPARATORS:
        for row in csv.reader(io.StringIO(data, newline=""), delimiter=separator):
            for field in row:
                text = field.strip(' \t\r\n"')
                if text.startswith(TRIGGERS[:4]) and not PLAIN_NUMBER.fullmatch(text):
                    found.append(f"{separator!r}: {field!r}")
    return found


def definition(survey_id: str, texts: list[str]) -> dict:
    """A questionnaire whose title, page title, question texts, item labels and option
    labels are all the hostile `texts`."""
    options = [{"code": f"o{n}", "label": t} for n, t in enumerate(texts)]
    return {
        "id": survey_id, "title": texts[0], "audience": texts[2], "edition": 2026,
        "introduction": texts[-1],
        "pages": [{"title": texts[1], "questions": [
            {"id": "pick", "type": "single_choice", "text": texts[2], "options": options},
            {"id": "grid", "type": "rating_matrix", "text": texts[3], "scale": "hostile",
             "items": [{"code": f"i{n}", "label": t} for n, t in enumerate(texts)]},
            *({"id": f"t{n}", "type": "long_text", "text": t, "required": False}
              for n, t in enumerate(texts)),
        ]}],
        "scales": {"hostile": options},
    }  # fmt: skip


@pytest.fixture
def hostile_app(make_app, tmp_path):
    folder = tmp_path / "surveys"
    folder.mkdir()
    for survey_id, texts in (("corpus", CORPUS), ("xss", XSS)):
        text = yaml.safe_dump(definition(survey_id, texts), allow_unicode=True)
        (folder / f"{survey_id}.yaml").write_text(text, encoding="utf-8")
    return make_app(folder)


def answers_for(texts: list[str], pick: int) -> dict:
    answers = {"pick": f"o{pick}"} | {f"grid-i{n}": f"o{n}" for n in range(len(texts))}
    return answers | {f"t{n}": t for n, t in enumerate(texts)}


def loaded_labels(app) -> list[str]:
    """The option labels as the loader keeps them (it strips surrounding whitespace, so
    a tab- or CR-led label arrives as "=1", itself a trigger)."""
    pick = next(app.extensions["surveys"]["corpus"][2026].questions())
    assert [o.label for o in pick.options] == [t.strip() for t in CORPUS]
    return [o.label for o in pick.options]


def rows_of(client, url: str) -> list[list[str]]:
    with client.get(url) as response:
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


@pytest.mark.parametrize("labels", [False, True], ids=["codes", "labels"])
def test_csv_prefixes_every_trigger_and_keeps_the_rest(hostile_app, labels):
    for pick in range(len(CORPUS)):
        add(hostile_app, "corpus", answers_for(CORPUS, pick))
    shown = loaded_labels(hostile_app)
    client = admin_client(hostile_app)
    rows = rows_of(client, f"/admin/surveys/corpus/export.csv{'?labels=1' if labels else ''}")
    header, body = rows[0], rows[1:]
    assert len(body) == len(CORPUS)
    for row in body:
        record = dict(zip(header, row, strict=True))
        for n, text in enumerate(CORPUS):
            assert record[f"t{n}"] == expected_csv(text), (n, record[f"t{n}"])
            grid = record[f"grid-i{n}"]
            assert grid == (expected_csv(shown[n]) if labels else f"o{n}")
        picks = [expected_csv(t) for t in shown] if labels else [f"o{n}" for n in range(99)]
        assert record["pick"] in picks
    db = store.thread_connection(hostile_app.config["DATABASE"])
    entry = audit.entries(db, 1, 0)[0]
    assert entry["details"]["rows"] == len(CORPUS)
    assert not any(t in json.dumps(entry, ensure_ascii=False) for t in CORPUS if len(t) > 3)


def test_codebook_prefixes_question_texts_item_and_option_labels(hostile_app):
    client = admin_client(hostile_app)
    cells = [cell for row in rows_of(client, "/admin/surveys/corpus/codebook.csv") for cell in row]
    for text in loaded_labels(hostile_app):
        assert expected_csv(text) in cells, text
        if expected(text) != text:
            assert text not in cells, text
    formulas = [c for c in cells if c.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(c)]
    assert formulas == []


@pytest.mark.parametrize("url", ["export.csv", "export.csv?labels=1", "codebook.csv"])
def test_no_csv_field_starts_a_formula_whatever_the_separator(hostile_app, url):
    """ ";=1+1" was exported as it is: a spreadsheet splitting at ";" ran "=1+1"."""
    for pick in range(len(CORPUS)):
        add(hostile_app, "corpus", answers_for(CORPUS, pick))
    with admin_client(hostile_app).get(f"/admin/surveys/corpus/{url}") as response:
        data = response.get_data(as_text=True)
    assert formula_parts(data) == []


@examples()
@given(row=st.lists(st.text(st.sampled_from("=+-@;,|\t '\"a1.\r\n"), max_size=12), max_size=4))
def test_any_text_split_at_any_separator_starts_no_formula(row):
    data = csv_text([row])
    assert formula_parts(data) == []
    assert next(csv.reader(io.StringIO(data, newline=""))) == [csv_cell(c) for c in row]
    assert [csv_cell(c).replace("'", "") for c in row] == [c.replace("'", "") for c in row]


def test_xlsx_holds_no_formula_and_the_exact_text(hostile_app, tmp_path):
    for pick in range(3):
        add(hostile_app, "corpus", answers_for(CORPUS, pick))
    client = admin_client(hostile_app)
    with client.get("/admin/surveys/corpus/export.xlsx?labels=1") as response:
        data = response.get_data()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                xml = archive.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name
    path = tmp_path / "corpus.xlsx"
    path.write_bytes(data)
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [[unescape(c) if isinstance(c, str) else c for c in r] for r in book.active.values]
    finally:
        book.close()  # a read-only workbook keeps its file open until closed
    header = rows[0]
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        for n, (text, label) in enumerate(zip(CORPUS, loaded_labels(hostile_app), strict=True)):
            assert record[f"t{n}"] == text and record[f"grid-i{n}"] == label


def test_jsonl_keeps_every_text_exact(hostile_app):
    add(hostile_app, "corpus", answers_for(CORPUS, 0))
    client = admin_client(hostile_app)
    with client.get("/admin/surveys/corpus/export.jsonl?labels=1") as response:
        record = json.loads(response.get_data(as_text=True).splitlines()[0])
    assert [record[f"t{n}"] for n in range(len(CORPUS))] == CORPUS


def assert_text_only(html: str, where: str) -> None:
    assert not RAW_XSS.search(html), where
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, where


def test_xss_payloads_are_text_everywhere(hostile_app):
    respondent = hostile_app.test_client()
    page = respondent.get("/s/xss")
    assert page.status_code == 200
    assert_text_only(page.text, "questionnaire page")
    form = hidden(page.text) | answers_for(XSS, 1) | {"action": "submit"}
    done = respondent.post("/s/xss", data=form)
    assert done.status_code == 302, done.text[:300]
    thanks = respondent.get(done.headers["Location"])
    assert not RAW_XSS.search(thanks.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in thanks.text  # the title
    db = store.thread_connection(hostile_app.config["DATABASE"])
    response_id = db.execute("SELECT response_id FROM responses").fetchone()[0]
    client = admin_client(hostile_app)
    login(hostile_app.test_client(), username=XSS[0], password="wrong")  # into the audit log
    for url in ("/admin/", "/admin/surveys/xss", "/admin/surveys/xss/responses",
                f"/admin/surveys/xss/responses/{response_id}", "/admin/audit"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert_text_only(response.text, url)
    tallies = client.get("/admin/surveys/xss/tallies.json")
    assert tallies.mimetype == "application/json" and "nosniff" in str(tallies.headers)
