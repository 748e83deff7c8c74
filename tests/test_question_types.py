"""One tiny questionnaire per question type: valid answers are stored exactly, bad ones
come back with the answers kept, a message at the field, and nothing stored."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent

pytestmark = pytest.mark.both_engines


@pytest.fixture
def typed_client(make_app):
    return make_app(TEST_QUESTIONNAIRES).test_client()


def stored(client):
    from surveyapp import store

    db = store.thread_connection(client.application.config["DATABASE"])
    return [json.loads(r["answers"]) for r in db.query("SELECT answers FROM responses")]


def submit(client, survey, data):
    respondent = Respondent(client, survey)
    respondent.open(1)
    return respondent.post(1, data, action="submit")


VALID = [
    ("t_single", {"colour": "blue"}, {"colour": "blue"}),
    ("t_dropdown", {"country": "de"}, {"country": "de"}),
    ("t_multi", {"services": ["analytics", "fill"]}, {"services": ["fill", "analytics"]}),
    ("t_matrix", {"views-one": "agree", "views-two": "disagree"},
     {"views-one": "agree", "views-two": "disagree"}),
    ("t_short", {"name": "  Head QA "}, {"name": "Head QA"}),
    ("t_long", {"story": "Line one\r\nline two"}, {"story": "Line one\r\nline two"}),
    ("t_number", {"staff": "250", "share": "12.50"}, {"staff": "250", "share": "12.5"}),
    ("t_codes", {"answer": "010"}, {"answer": "010"}),
]  # fmt: skip


@pytest.mark.parametrize(("survey", "data", "expected"), VALID)
def test_valid_answers_are_stored_exactly(typed_client, survey, data, expected):
    response = submit(typed_client, survey, data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/s/{survey}/thanks?again=0")
    assert stored(typed_client) == [expected]


INVALID = [
    ("t_single", {}, "colour", "Please answer this question."),
    ("t_single", {"colour": "green"}, "colour", "unknown code &#39;green&#39;"),
    ("t_single", {"colour": ["red", "red"]}, "colour", "Please choose only one answer."),
    ("t_dropdown", {"country": ""}, "country", "Please answer this question."),
    ("t_dropdown", {"country": "xx"}, "country", "unknown code &#39;xx&#39;"),
    ("t_multi", {}, "services", "Please answer this question."),
    ("t_multi", {"services": ["fill", "upstream", "analytics"]}, "services", "at most 2"),
    ("t_multi", {"services": ["fill", "fill"]}, "services", "only once"),
    ("t_multi", {"services": ["nope"]}, "services", "unknown code"),
    ("t_matrix", {"views-one": "agree"}, "views-two", "Please answer this question."),
    ("t_matrix", {"views-one": "agree", "views-two": "maybe"}, "views-two", "unknown code"),
    ("t_short", {"name": "x" * 11}, "name", "10 characters or fewer"),
    ("t_short", {"name": "   "}, "name", "Please answer this question."),
    ("t_long", {"story": "y" * 21}, "story", "20 characters or fewer"),
    ("t_number", {"staff": "0"}, "staff", "at least 1"),
    ("t_number", {"staff": "1001"}, "staff", "at most 1000"),
    ("t_number", {"staff": "2.5"}, "staff", "whole number"),
    ("t_number", {"staff": "ten"}, "staff", "Please enter a number."),
    ("t_number", {"staff": "nan"}, "staff", "Please enter a number."),
    ("t_number", {"staff": "5", "share": "Infinity"}, "share", "Please enter a number."),
    ("t_number", {"staff": "5", "share": "100.5"}, "share", "at most 100"),
    ("t_codes", {"answer": "false"}, "answer", "unknown code"),
]


@pytest.mark.parametrize(("survey", "data", "field", "message"), INVALID)
def test_invalid_answers_store_nothing_and_explain(typed_client, survey, data, field, message):
    response = submit(typed_client, survey, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert stored(typed_client) == []
    error_block = html.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in error_block
    if "unknown code" not in message:
        for name, value in data.items():
            for one in value if isinstance(value, list) else [value]:
                assert kept(html, name, one), (name, one)


def kept(html: str, name: str, value: str) -> bool:
    """Is `value` still there for `name`: a checked option, a selected one, or typed text."""
    value = value.strip()
    patterns = [
        rf'name="{name}"[^>]*value="{re.escape(value)}"[^>]*(checked|selected)',
        rf'<option value="{re.escape(value)}" selected',
        rf'type="text"[^>]*name="{name}"[^>]*\svalue="{re.escape(value)}"',
        rf'name="{name}"[^>]*>{re.escape(value)}</textarea>',
    ]
    return not value or any(re.search(p, html) for p in patterns)


def test_invalid_field_is_marked_and_focused(typed_client):
    html = submit(typed_client, "t_short", {"name": "x" * 11}).get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="name-error"' in html
    assert "autofocus" in html
    assert '<div class="error-summary" role="alert"' in html


def test_every_type_has_a_partial_and_a_test_questionnaire():
    from pathlib import Path

    from surveyapp.questionnaire.loader import definition_files, load_all
    from surveyapp.questionnaire.types import REGISTRY

    partials = Path(__file__).parent.parent / "templates" / "partials"
    used = {q.type for e in load_all(definition_files(TEST_QUESTIONNAIRES)).values()
            for d in e.values() for q in d.questions()}  # fmt: skip
    for name in REGISTRY:
        assert (partials / f"{name}.html").exists(), name
        assert name in used, f"no test questionnaire uses {name}"
