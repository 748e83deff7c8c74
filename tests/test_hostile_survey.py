"""Hostile posts to every questionnaire page: never a 5xx, never an invalid stored response."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from surveyapp import SHIPPED_SURVEYS
from surveyapp.questionnaire import marks
from surveyapp.questionnaire.answers import check_response, stored_getlist
from surveyapp.questionnaire.loader import definition_files, field_names, load_all
from surveyapp.questionnaire.logic import plan_of
from surveyapp.questionnaire.types import REGISTRY
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import hidden

CATALOG = load_all(definition_files(SHIPPED_SURVEYS, TEST_QUESTIONNAIRES))
DEFINITIONS = [editions[max(editions)] for editions in CATALOG.values()]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["\x00", "\u202egnp.exe", "<script>alert(1)</script>", "=1+1", "' OR 1=1 --",
                     "\ufeff", "🧪" * 10, "../../etc/passwd", "%00", "\r\n\r\n",
                     "1e2000000", "1e5000", "-1E-999999", "9" * 45, "NaN", "1_0"]),
    st.just("x" * 100_000),
)  # fmt: skip
SHIPPED_IDS = {"cmo", "client"}


def examples(count: int):
    return settings(
        max_examples=count,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )


NUMBERS = st.sampled_from(["0", "1", "2", "5", "12", "100", "-3", "4.5"])


def values_for(definition):
    codes = [o.code for q in definition.questions() for o in (*q.options, *q.items)]
    return st.one_of(HOSTILE_TEXT, st.sampled_from(codes or ["x"]), NUMBERS)


def shapes_for(definition):
    """What a browser posts as the page's shape: none, one drawn by the server or made up."""
    names = field_names(definition)
    drawn = st.lists(st.sampled_from(names), max_size=4).map(lambda found: " ".join(found))
    return st.one_of(st.none(), drawn, st.text(max_size=30))


def page_posts(definition):
    names = field_names(definition)
    value = values_for(definition)
    field_value = st.one_of(value, st.lists(value, min_size=0, max_size=3))
    return st.fixed_dictionaries(
        {
            "page": st.integers(min_value=-1, max_value=len(definition.pages) + 1),
            "fields": st.dictionaries(
                st.one_of(st.sampled_from(names), st.text(max_size=20)), field_value, max_size=14
            ),
            "action": st.sampled_from(["next", "back", "submit", "", "delete", "submit\x00"]),
            "csrf": st.sampled_from(["valid", "missing", "stale", "foreign"]),
            "key": st.sampled_from(["valid", "missing", "forged", "other_survey"]),
            "shape": shapes_for(definition),
        }
    )


@pytest.fixture
def hostile_app(make_app):
    return make_app(SHIPPED_SURVEYS, TEST_QUESTIONNAIRES, MAX_CONTENT_LENGTH=512 * 1024)


def tokens_for(client, survey_id):
    return hidden(client.get(f"/s/{survey_id}").get_data(as_text=True))


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.id)
def test_hostile_page_posts(hostile_app, definition):
    client = hostile_app.test_client()
    foreign = tokens_for(hostile_app.test_client(), definition.id)
    other_survey = next(d.id for d in DEFINITIONS if d.id != definition.id)
    other_key = tokens_for(hostile_app.test_client(), other_survey)["submission_key"]

    own = tokens_for(client, definition.id)

    # 2,000 examples per shipped questionnaire; the one-feature test questionnaires get fewer.
    @examples(2000 if definition.id in SHIPPED_IDS else 150)
    @given(post=page_posts(definition))
    def run(post):
        nonlocal own
        data = [
            (k, v)
            for k, vs in post["fields"].items()
            for v in (vs if isinstance(vs, list) else [vs])
        ]
        csrf = {"valid": own["csrf_token"], "stale": own["csrf_token"][:-4] + "AAAA",
                "foreign": foreign["csrf_token"], "missing": None}[post["csrf"]]  # fmt: skip
        key = {"valid": own["submission_key"], "forged": "abc.def", "missing": None,
               "other_survey": other_key}[post["key"]]  # fmt: skip
        data += [("csrf_token", csrf)] if csrf else []
        data += [("submission_key", key)] if key else []
        data += [("action", post["action"])]
        data += [("~shown", post["shape"])] if post["shape"] is not None else []
        response = client.post(f"/s/{definition.id}?page={post['page']}", data=MultiDict(data))
        assert response.status_code < 500, response.status_code
        if "/thanks" in response.headers.get("Location", ""):
            own = tokens_for(client, definition.id)

    run()
    assert_only_valid_responses_stored(hostile_app, definition)


def assert_only_valid_responses_stored(app, definition):
    """Every stored response is what the rules keep of its own answers (no answer to a
    question it was not shown, none after a screening point, every required one given
    unless screened out), its status and not-shown rows agree, and the counters too."""
    from surveyapp import store
    from surveyapp.figures.tallies import verify_tallies

    db = store.thread_connection(app.config["DATABASE"])
    for row in db.query("SELECT id, answers, status FROM responses WHERE survey = ?",
                        [definition.id]):  # fmt: skip
        answers = json.loads(row["answers"])
        # From the answers alone: a page post never marks a field not asked.
        checked = check_response(definition, stored_getlist(answers))
        assert checked.errors == {} and checked.answers == answers
        assert row["status"] == marks.status(answers)
        hidden_rows = db.execute("SELECT field FROM not_shown WHERE response = ?", [row["id"]])
        expected = marks.not_shown(answers) if row["status"] == marks.COMPLETED else []
        assert [field for (field,) in hidden_rows.fetchall()] == expected
    assert verify_tallies(db, app.extensions["surveys"]) == []


LOGIC = [d for d in DEFINITIONS if plan_of(d).active]
DRAWN = "\x00drawn"  # post the shape the page was drawn with, as a browser does
GO_ON = "\x00primary"  # press the page's main button (Next, or Submit on the last page)
TEXTS = st.sampled_from(["", "Fine", "AB123", "ab12", "<b>x</b> & y", "x" * 300])


def plausible(definition, name: str):
    """Values a respondent could give a field, or a forger could post to it."""
    question = next(q for q in definition.questions() if name in REGISTRY[q.type].field_names(q))
    codes = [o.code for o in dict(REGISTRY[question.type].tallied(question)).get(name, ())]
    if not codes:
        return st.one_of(NUMBERS, NUMBERS, TEXTS)
    if REGISTRY[question.type].separator:
        return st.lists(st.sampled_from(codes), max_size=len(codes) + 1)
    return st.sampled_from(codes)


def walks(definition):
    """A respondent's posts in turn: answers (to hidden questions and other pages' too),
    the page they are on or a forged one, Next, Back or Submit, any posted shape."""
    names = field_names(definition)
    pages = st.integers(min_value=-1, max_value=len(definition.pages) + 1)
    post = st.fixed_dictionaries({
        "page": st.one_of(st.none(), st.none(), st.none(), pages),
        "fields": st.fixed_dictionaries({n: plausible(definition, n) for n in names}),
        "omit": st.lists(st.sampled_from(names), max_size=3),
        "action": st.sampled_from([GO_ON, GO_ON, GO_ON, "back", "next", "submit"]),
        "shape": st.one_of(st.just(DRAWN), st.just(DRAWN), st.just(DRAWN), shapes_for(definition)),
    })  # fmt: skip
    return st.lists(post, min_size=len(definition.pages), max_size=len(definition.pages) + 5)


@pytest.mark.parametrize("definition", LOGIC, ids=lambda d: d.id)
def test_hostile_walks_through_logic_store_only_what_the_rules_keep(hostile_app, definition):
    stored = []

    @examples(150)
    @given(steps=walks(definition))
    def run(steps):
        client = hostile_app.test_client()
        html, page = client.get(f"/s/{definition.id}").get_data(as_text=True), 1
        for step in steps:
            data = [(k, v) for k, vs in step["fields"].items() if k not in step["omit"]
                    for v in (vs if isinstance(vs, list) else [vs])]  # fmt: skip
            tokens = hidden(html) if "submission_key" in html else {}
            drawn = tokens.pop("~shown", None)
            shape = drawn if step["shape"] == DRAWN else step["shape"]
            action = step["action"]
            if action == GO_ON:
                action = "submit" if 'value="submit" class="primary"' in html else "next"
            data += [*tokens.items(), ("action", action)]
            data += [("~shown", shape)] if shape is not None else []
            number = page if step["page"] is None else step["page"]
            response = client.post(f"/s/{definition.id}?page={number}", data=MultiDict(data))
            assert response.status_code < 500, response.status_code
            location = response.headers.get("Location", "")
            stored.append("/thanks" in location)
            if "/thanks" in location or "page=" not in location and response.status_code == 302:
                html, page = client.get(f"/s/{definition.id}").get_data(as_text=True), 1
            elif location:
                page = int(location.rsplit("page=", 1)[1])
                html = client.get(location).get_data(as_text=True)
            else:
                html = response.get_data(as_text=True)

    run()
    assert any(stored), "no walk stored a response: the generator never got that far"
    assert_only_valid_responses_stored(hostile_app, definition)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_methods_are_refused(client, method):
    assert client.open("/s/cmo", method=method).status_code == 405


def test_a_body_over_the_limit_gets_413(make_app):
    client = make_app(MAX_CONTENT_LENGTH=64 * 1024).test_client()
    tokens = tokens_for(client, "cmo")
    response = client.post("/s/cmo", data={**tokens, "company_size": "x" * 200_000})
    assert response.status_code == 413


def test_lone_surrogates_and_nul_bytes_in_raw_bodies(client, db):
    tokens = tokens_for(client, "cmo")
    body = (
        f"csrf_token={tokens['csrf_token']}&submission_key={tokens['submission_key']}"
        "&company_size=%ED%A0%80&region=%00&action=next"
    ).encode()
    response = client.post("/s/cmo", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
