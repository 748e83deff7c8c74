"""A question type defined in this test alone and registered only while it runs: through
the real app it renders, checks, stores, tallies, exports and imports, with no other file
knowing it (the registry entry, its partial and its questionnaire all live here)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader
from wtforms import RadioField, SelectChoice

from surveyapp import store
from surveyapp.questionnaire.model import Option
from surveyapp.questionnaire.types import REGISTRY, REQUIRED_MESSAGE, ChoiceType
from tests.adminkit import admin_client, csrf
from tests.walker import Respondent

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = (Option("yes", "Yes"), Option("no", "No"))
YES_OR_NO = "Please answer yes or no."
GIVEN = ("yes", "no", "yes", "yes", "no")


class YesNo(ChoiceType):
    """Yes or no: fixed options, so a definition gives none; it may filter a view."""

    name = "yes_no"
    keys = frozenset()
    grouped = True
    segment = True

    def parse(self, raw, path, reader):
        return {"options": ANSWERS}

    def check(self, q, field_name, raw):
        value = raw[0].strip() if raw else ""
        if not value:
            return None, (REQUIRED_MESSAGE if q.required else "")
        if len(raw) > 1 or value not in {o.code for o in ANSWERS}:
            return None, YES_OR_NO
        return value, ""

    def unbound_field(self, q, field_name):
        choices = [SelectChoice(o.code, o.label) for o in ANSWERS]
        return RadioField(q.text, choices=choices, validate_choice=False)


PARTIAL = """{% from "_forms.html" import radio_group %}
<div class="yes-no">{{ radio_group(form[question.id], question.text, help_id, first_error,
  question.required) }}</div>
"""

QUESTIONNAIRE = """id: t_yes_no
title: Yes or no
audience: testers
edition: 2020
pages:
  - title: One
    questions:
      - id: agrees
        type: yes_no
        text: Do you agree?
"""


@pytest.fixture
def yes_no_app(make_app, tmp_path, monkeypatch):
    """Build apps (each on its own database) that know the yes_no type and its partial."""
    monkeypatch.setitem(REGISTRY, YesNo.name, YesNo())
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "yes_no.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")

    def build(database: str):
        app = make_app(folder, DATABASE=str(tmp_path / database))
        partials = DictLoader({"partials/yes_no.html": PARTIAL})
        app.jinja_env.loader = ChoiceLoader([partials, app.jinja_env.loader])
        return app

    return build


def stored(app) -> list[tuple[str, str, dict]]:
    db = store.thread_connection(app.config["DATABASE"])
    rows = db.query("SELECT response_id, submitted_at, answers FROM responses ORDER BY id")
    return [(r["response_id"], r["submitted_at"], json.loads(r["answers"])) for r in rows]


def answer(app, data: dict):
    respondent = Respondent(app.test_client(), "t_yes_no")
    respondent.open(1)
    return respondent.post(1, data, action="submit")


def upload(admin, data: bytes):
    token = csrf(admin.get("/admin/surveys/t_yes_no/import").text)
    return admin.post(
        "/admin/surveys/t_yes_no/import",
        data={
            "csrf_token": token,
            "edition": "2020",
            "format": "csv",
            "file": (io.BytesIO(data), "yes_no.csv"),
        },  # fmt: skip
        content_type="multipart/form-data",
    )


def test_the_type_exists_in_this_test_alone():
    assert "yes_no" not in REGISTRY
    assert not (ROOT / "templates" / "partials" / "yes_no.html").exists()
    for path in [*(ROOT / "surveyapp").rglob("*"), *(ROOT / "templates").rglob("*")]:
        if path.suffix in {".py", ".html", ".yaml"}:
            assert "yes_no" not in path.read_text(encoding="utf-8"), path


def test_page_renders_the_types_partial(yes_no_app):
    html = Respondent(yes_no_app("one.db").test_client(), "t_yes_no").open(1).text
    assert '<div class="yes-no">' in html
    assert 'id="agrees-0" value="yes"' in html and 'id="agrees-1" value="no"' in html
    assert "<span>Yes</span>" in html and "<span>No</span>" in html


def test_a_bad_value_gets_the_types_error_and_nothing_is_stored(yes_no_app):
    app = yes_no_app("one.db")
    response = answer(app, {"agrees": "maybe"})
    assert response.status_code == 422
    assert YES_OR_NO in response.text.split('id="agrees-error"', 1)[1].split("</p>", 1)[0]
    summary = f'<a href="#agrees-0">Do you agree?</a> <span class="summary-error">{YES_OR_NO}'
    assert summary in response.text
    assert stored(app) == []


def test_answers_store_tally_trend_export_and_import_the_same(yes_no_app):
    app = yes_no_app("one.db")
    for value in GIVEN:
        assert answer(app, {"agrees": value}).status_code == 302
    first = stored(app)
    assert [answers for _id, _at, answers in first] == [{"agrees": v} for v in GIVEN]

    admin = admin_client(app)
    tallied = admin.get("/admin/surveys/t_yes_no/tallies.json").json["questions"]
    assert tallied == {"agrees": {"type": "yes_no", "n": 5, "shown": 5, "answered": 5,
                                  "not_shown": 0, "counts": {"yes": 3, "no": 2},
                                  "percent": {"yes": 60.0, "no": 40.0}}}  # fmt: skip
    page = admin.get("/admin/surveys/t_yes_no").text
    assert '<th scope="row">Yes</th><td class="num">3</td>' in page
    trend = admin.get("/admin/surveys/t_yes_no/trends.json").json["questions"]["agrees"]
    assert trend["items"]["yes"]["2020"]["top_box"] == 60.0
    assert trend["items"]["no"]["2020"]["top2_box"] == 40.0

    exported = admin.get("/admin/surveys/t_yes_no/export.csv")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["agrees"] for row in rows] == list(GIVEN)

    second = yes_no_app("two.db")
    done = upload(admin_client(second), exported.data)
    assert done.status_code == 200
    assert "data-created>5<" in done.text
    assert stored(second) == first


def test_the_type_can_filter_a_view(yes_no_app):
    app = yes_no_app("one.db")
    for value in GIVEN:
        answer(app, {"agrees": value})
    kept = admin_client(app).get("/admin/surveys/t_yes_no/tallies.json?agrees=no").json
    assert (kept["responses"], kept["segment"]) == (2, {"agrees": ["no"]})


def test_an_import_is_checked_by_the_type(yes_no_app):
    app = yes_no_app("one.db")
    refused = upload(admin_client(app), b"agrees\nyes\nperhaps\n")
    assert refused.status_code == 422
    assert f"yes_no.csv:row 3: agrees: {YES_OR_NO}" in refused.text
    assert stored(app) == []
