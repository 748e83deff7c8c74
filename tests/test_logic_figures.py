"""Logic in the figures, exports and imports: a share's base is those shown the item who
answered it, "not shown" is counted apart from "left blank", screened-out responses are in
no base; imports apply the same rules (a column the file lacks was not asked)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from surveyapp import store
from surveyapp.exchange.importer import import_file
from surveyapp.figures import tallies
from surveyapp.figures.trends import trends
from tests.adminkit import admin_client
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent, hidden

pytestmark = pytest.mark.both_engines

RELEVANT = [  # (page 1, page 2) of t_relevant, as a browser with JavaScript posts them
    ({"outsources": "yes", "partners": "3"}, {"views-general": "agree", "views-deliver": "agree"}),
    ({"outsources": "no", "reason": "Costs"}, {"views-general": "disagree"}),
    ({"outsources": "yes", "partners": "0"}, {"views-general": "agree", "comments": "Fine"}),
]


@pytest.fixture
def app(make_app):
    return make_app(TEST_QUESTIONNAIRES)


def db_of(app):
    return store.thread_connection(app.config["DATABASE"])


def answer(app, survey: str, pages: list[dict]) -> str:
    walker = Respondent(app.test_client(), survey)
    walker.open(1)
    for number, given in enumerate(pages, 1):
        tokens = hidden(walker.last.text)
        tokens.pop("~shown", None)  # as if the browser showed exactly what was answered
        action = "submit" if number == len(pages) else "next"
        walker.post(number, given, action, tokens=tokens)
        if walker.last.status_code == 200 and "changed the questions" in walker.last.text:
            walker.post(number, given, action)
    return walker.last_location


def test_tallies_json_gives_each_base_and_the_page_says_it(app):
    for pages in RELEVANT:
        assert "/thanks" in answer(app, "t_relevant", list(pages))
    admin = admin_client(app)
    body = admin.get("/admin/surveys/t_relevant/tallies.json").json
    assert (body["responses"], body["screened_out"]) == (3, 0)
    items = body["questions"]["views"]["items"]
    assert {k: items["deliver"][k] for k in ("n", "shown", "answered", "not_shown")} == {
        "n": 1, "shown": 1, "answered": 1, "not_shown": 2}  # fmt: skip
    assert items["deliver"]["percent"]["agree"] == 100.0  # of the one shown who answered
    assert {k: items["general"][k] for k in ("shown", "answered", "not_shown")} == {
        "shown": 3, "answered": 3, "not_shown": 0}  # fmt: skip
    page = admin.get("/admin/surveys/t_relevant").text
    assert "n = 1 shown and answered; 2 not shown" in page
    db = db_of(app)
    trend = trends(db, app.extensions["surveys"], "t_relevant", min_n=0)
    assert trend["questions"]["views"]["items"]["deliver"]["2020"] | {"top2_ci95": None} == {
        "n": 1, "top_box": 100.0, "top2_box": 100.0, "top2_ci95": None, "shown": 1,
        "not_shown": 2}  # fmt: skip
    assert tallies.verify_tallies(db, app.extensions["surveys"]) == []
    timed = admin.get("/admin/surveys/t_relevant/tallies.json?since=2000-01-01").json
    assert timed["questions"] == body["questions"]  # counted response by response


def test_screened_out_responses_are_counted_apart_and_in_no_base(app):
    answer(app, "t_screen", [{"size": "large", "makes": "no"}])
    answer(app, "t_screen", [{"size": "small", "makes": "yes"}, {"capacity": "some"},
                             {"rating": "good"}])  # fmt: skip
    admin = admin_client(app)
    body = admin.get("/admin/surveys/t_screen/tallies.json").json
    assert (body["responses"], body["screened_out"]) == (1, 1)
    size = body["questions"]["size"]
    assert (size["n"], size["shown"], size["counts"]) == (1, 1, {"small": 1, "large": 0})
    page = admin.get("/admin/surveys/t_screen").text
    assert 'data-figure="screened_out">1</span> screened out (in no figure)' in page
    assert admin.get("/admin/surveys/t_screen/trends.json").json["respondents"] == {"2020": 1}
    assert tallies.verify_tallies(db_of(app), app.extensions["surveys"]) == []
    export = admin.get("/admin/surveys/t_screen/export.jsonl").text.splitlines()
    rows = [json.loads(line) for line in export]
    assert [(r["status"], r["size"], r["rating"]) for r in rows] == [
        ("screened_out", "large", None), ("completed", "small", "good")]  # fmt: skip


def test_exports_carry_status_and_not_shown_and_import_back_the_same(app, make_app, tmp_path):
    for pages in RELEVANT:
        answer(app, "t_relevant", list(pages))
    text = admin_client(app).get("/admin/surveys/t_relevant/export.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["status"], r["not_shown"]) for r in rows] == [
        ("completed", "reason"), ("completed", "partners;views-deliver"),
        ("completed", "reason;views-deliver")]  # fmt: skip
    other = make_app(TEST_QUESTIONNAIRES, DATABASE=str(tmp_path / "other.db"))
    result = import_file(db_of(other), other.extensions["surveys"], "t_relevant", 2020,
                         text.encode(), "csv", name="x.csv")  # fmt: skip
    assert result.errors == [] and result.created == 3
    mine = db_of(app).execute("SELECT response_id, answers FROM responses ORDER BY id")
    theirs = db_of(other).execute("SELECT response_id, answers FROM responses ORDER BY id")
    assert mine.fetchall() == theirs.fetchall()


def rows_of(db, survey: str) -> list[dict]:
    found = db.execute("SELECT answers FROM responses WHERE survey = ? ORDER BY id", [survey])
    return [json.loads(answers) for (answers,) in found]


def test_an_absent_column_means_not_asked_and_a_present_one_meets_every_rule(app):
    db, catalog = db_of(app), app.extensions["surveys"]
    data = b"outsources,partners,views-general\nno,,agree\nyes,2,disagree\n"
    result = import_file(db, catalog, "t_relevant", 2020, data, "csv", name="a.csv")
    assert result.errors == [] and result.created == 2
    assert rows_of(db, "t_relevant") == [
        {"outsources": "no", "views-general": "agree",
         "~not_shown": ["partners", "reason", "views-deliver", "comments"]},
        {"outsources": "yes", "partners": "2", "views-general": "disagree",
         "~not_shown": ["reason", "views-deliver", "comments"]},
    ]  # fmt: skip
    bad = b"outsources,partners,reason\nno,4,\nyes,,\nno,,Because\n"
    result = import_file(db, catalog, "t_relevant", 2020, bad, "csv", name="b.csv")
    assert result.errors == [
        "b.csv:row 2: reason: Please answer this question.",
        "b.csv:row 2: partners: has an answer, but this question is not asked of this "
        "respondent (its condition is false)",
        "b.csv:row 3: partners: Please answer this question.",
    ]
    assert result.created == 0


def test_imports_screen_out_rows_and_refuse_answers_after_the_screening_point(app):
    db, catalog = db_of(app), app.extensions["surveys"]
    data = b"size,makes,capacity,rating,status\nlarge,no,,,screened_out\nsmall,no,some,,\n"
    result = import_file(db, catalog, "t_screen", 2020, data, "csv", name="s.csv")
    assert result.errors == [
        "s.csv:row 3: capacity: has an answer, but this respondent was screened out before "
        "this question"
    ]
    good = b"size,makes,capacity,rating,status\nlarge,no,,,screened_out\nsmall,yes,some,good,\n"
    result = import_file(db, catalog, "t_screen", 2020, good, "csv", name="s.csv")
    assert result.errors == [] and result.created == 2
    statuses = db.execute("SELECT status FROM responses ORDER BY id").fetchall()
    assert statuses == [("screened_out",), ("completed",)]
    wrong = b"size,makes,status\nlarge,yes,screened_out\n"
    result = import_file(db, catalog, "t_screen", 2020, wrong, "csv", name="w.csv")
    assert "w.csv:row 2: status: 'screened_out', but by the questionnaire's rules it is " \
           "completed" in result.errors  # fmt: skip
