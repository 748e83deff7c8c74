"""What respondents see around the questions: the favicon, errors as sentences at their
field, help below the question text, the required mark, the matrix rows, and the number of
questions and minutes on the first page."""

from __future__ import annotations

import re
from html import unescape

import pytest

from surveyapp.questionnaire.estimate import estimate
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent

pytestmark = pytest.mark.both_engines

ICON_LINK = '<link rel="icon" href="/static/favicon.ico"'
FIELD_ERROR = re.compile(r'<p class="error" id="([^"]+)-error">(.*?)</p>', re.S)
SUMMARY_ITEM = re.compile(
    r'<li><a href="#([^"]+)">(.*?)</a> <span class="summary-error">(.*?)</span></li>', re.S
)


def test_the_favicon_is_served_and_linked_from_every_kind_of_page(client):
    with client.get("/favicon.ico") as icon, client.get("/static/favicon.ico") as linked:
        assert icon.status_code == 200
        assert icon.data.startswith(b"\x00\x00\x01\x00")  # an ICO file
        assert icon.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
        assert linked.data == icon.data
    for path, status in [("/", 200), ("/s/cmo", 200), ("/s/cmo/thanks", 200),
                         ("/admin/login", 200), ("/s/no-such", 404)]:  # fmt: skip
        page = client.get(path)
        assert page.status_code == status, path
        assert ICON_LINK in page.text, path


def test_field_errors_are_sentences_without_the_question_text(client):
    walker = Respondent(client, "cmo")
    walker.open(1)
    html = walker.post(1, {"manufactures_for_clients": "yes"}).text
    errors = FIELD_ERROR.findall(html)
    assert [field for field, _ in errors] == ["company_size", "region"]
    assert {text.strip() for _, text in errors} == {"Please answer this question."}
    summary = [
        (anchor, unescape(label), text) for anchor, label, text in SUMMARY_ITEM.findall(html)
    ]
    assert summary == [
        ("company_size-0", "How many employees does your organisation have?",
         "Please answer this question."),
        ("region-0", "Where is your organisation based?", "Please answer this question."),
    ]  # fmt: skip
    assert "?:" not in html and "have?: Please" not in unescape(html)


def test_matrix_rows_left_out_get_their_error_in_their_row(client):
    walker = Respondent(client, "cmo")
    walker.open(1)
    walker.post(1, {"manufactures_for_clients": "yes", "company_size": "small", "region": "asia"})
    html = walker.post(2, {"problems-communicate": "rare"}).text
    errors = FIELD_ERROR.findall(html)
    assert len(errors) == 9 and "problems-communicate" not in dict(errors)
    for field, text in errors:
        row = html.split(f'id="{field}"', 1)[1].split("</fieldset>", 1)[0]
        assert f'id="{field}-error"' in row  # inside the row's own fieldset
        assert text.strip() == "Please answer this question."


def test_an_authors_message_without_a_full_stop_gets_one(make_app, tmp_path):
    source = (TEST_QUESTIONNAIRES / "logic_constraint.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "c.yaml").write_text(
        source.replace("Cannot be more than the staff in total.", "At most the staff in total"),
        encoding="utf-8",
    )
    walker = Respondent(make_app(folder).test_client(), "t_constraint")
    walker.open(1)
    html = walker.post(1, {"staff": "5", "scientists": "9"}).text
    assert dict(FIELD_ERROR.findall(html))["scientists"].strip() == "At most the staff in total."


@pytest.mark.parametrize(
    ("page", "question", "help_text"),
    [
        (1, "Does your organisation manufacture biopharmaceuticals for clients?",
         "This survey is for organisations that do; if yours does not, it ends here."),
        (2, "How common are these problems with your clients?", "Rate every statement."),
    ],
)  # fmt: skip
def test_help_comes_below_the_question_text_and_describes_it(client, page, question, help_text):
    walker = Respondent(client, "cmo")
    walker.open(1)
    if page == 2:
        walker.post(
            1, {"manufactures_for_clients": "yes", "company_size": "small", "region": "asia"}
        )
    html = unescape(walker.last.text)
    assert html.index(question) < html.index(help_text)
    help_id = re.search(r'<p class="hint help" id="([^"]+)">' + re.escape(help_text), html)[1]
    section = html.split(f'id="q-{help_id.removeprefix("help-")}"', 1)[1]
    assert section.index("</legend>") < section.index(help_text)
    assert f'aria-describedby="{help_id}"' in section


def test_the_required_mark_is_bound_to_the_last_word(client):
    html = client.get("/s/cmo").text
    assert 'have?<span class="req" aria-hidden="true">&nbsp;*</span></legend>' in html


def test_the_matrix_is_a_fieldset_per_row_with_named_radios(client):
    walker = Respondent(client, "cmo")
    walker.open(1)
    html = walker.post(
        1, {"manufactures_for_clients": "yes", "company_size": "small", "region": "asia"}
    ).text
    rows = re.findall(r'<fieldset class="matrix-row radio-group" id="(problems-\w+)"', html)
    assert len(rows) == 10
    head = html.split('<div class="matrix-head" aria-hidden="true">', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'class="matrix-point">([^<]+)<', head) == [
        "Very common problem", "Somewhat common problem", "Rare problem", "Not a problem"
    ]  # fmt: skip
    row = html.split('id="problems-hand_off"', 1)[1].split("</fieldset>", 1)[0]
    assert "Clients hand off a project without planning for ongoing interactions</legend>" in row
    assert re.findall(r'<span class="option-label">([^<]+)</span>', row)[2] == "Rare problem"


def test_a_not_applicable_point_keeps_its_place_and_its_mark(make_app):
    walker = Respondent(make_app(TEST_QUESTIONNAIRES).test_client(), "t_matrix_na")
    html = walker.open(1).text
    assert '<span class="matrix-point na">Not applicable</span>' in html
    row = html.split('id="issues-delays"', 1)[1].split("</fieldset>", 1)[0]
    assert '<label class="option na"' in row and 'value="na"' in row


def test_the_first_page_says_how_many_questions_and_minutes(client, app):
    first = client.get("/s/cmo").text
    questions, minutes = estimate(app.extensions["surveys"].latest("cmo"))
    assert questions == 5 and minutes >= 1  # a matrix is one question
    assert f'<p class="estimate">5 questions, about {minutes} minutes</p>' in first
    assert 'class="estimate"' not in client.get("/s/cmo?page=2").text


def test_the_estimate_leaves_computed_questions_out(make_app):
    app = make_app(TEST_QUESTIONNAIRES)
    definition = app.extensions["surveys"].latest("t_calculate")
    asked = [q for q in definition.questions() if q.calculation is None]
    assert estimate(definition)[0] == len(asked) < len(list(definition.questions()))
