"""Hostile posts to every questionnaire page: never a 5xx, never an invalid stored response."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from surveyapp import SHIPPED_SURVEYS, store
from surveyapp.questionnaire import marks, randomize
from surveyapp.questionnaire.answers import check_response, stored_getlist
from surveyapp.questionnaire.loader import definition_files, field_names, load_all
from surveyapp.questionnaire.logic import plan_of
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import invitations
from tests.conftest import TEST_QUESTIONNAIRES, examples
from tests.hostile import EDITS, NUMBERS, RAW, edited, form_body
from tests.walker import hidden

pytestmark = pytest.mark.both_engines

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
INVITED = TEST_QUESTIONNAIRES.parent / "invite_questionnaires"


# Ranks in and out of range, and orders a client might forge.
RANKS = ["1", "2", "3", "4", "0", "-1", "99", "1.0", " 2 "]


ANSWER_NUMBERS = st.sampled_from(["0", "1", "2", "5", "12", "100", "-3", "4.5"])


def values_for(definition):
    codes = [o.code for q in definition.questions() for o in (*q.options, *q.items)]
    orders = [";".join(reversed(e.codes)) for e in randomize.elements(definition)]
    return st.one_of(HOSTILE_TEXT, st.sampled_from(codes or ["x"]), st.sampled_from(RANKS),
                     st.sampled_from(orders or ["x"]), ANSWER_NUMBERS)  # fmt: skip


def shapes_for(definition):
    """What a browser posts as the page's shape: none, one drawn by the server or made up."""
    names = field_names(definition)
    drawn = st.lists(st.sampled_from(names), max_size=4).map(lambda found: " ".join(found))
    return st.one_of(st.none(), drawn, st.text(max_size=30))


def page_posts(definition):
    names = field_names(definition) + [e.name for e in randomize.elements(definition)]
    value = values_for(definition)
    field_value = st.one_of(value, st.lists(value, min_size=0, max_size=3))
    return st.fixed_dictionaries(
        {
            "page": st.one_of(
                st.integers(min_value=-1, max_value=len(definition.pages) + 1).map(str), NUMBERS
            ),
            "fields": st.dictionaries(
                st.one_of(st.sampled_from(names), st.text(max_size=20)), field_value, max_size=14
            ),
            "action": st.sampled_from(["next", "back", "submit", "", "delete", "submit\x00"]),
            "csrf": st.sampled_from(["valid", "valid", "missing", "stale", "foreign", "edited"]),
            "key": st.sampled_from(["valid", "valid", "missing", "forged", "other", "edited"]),
            "edit": EDITS,
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

    # 2,000 examples per shipped questionnaire in the thorough profile; the one-feature
    # test questionnaires get fewer.
    @examples(2000 if definition.id in SHIPPED_IDS else 150)
    @given(post=page_posts(definition))
    def run(post):
        nonlocal own
        pairs = [
            (k, v)
            for k, vs in post["fields"].items()
            for v in (vs if isinstance(vs, list) else [vs])
        ]
        stale = own["csrf_token"][:-4] + "AAAA"
        csrf = token_for(post["csrf"], own["csrf_token"], post["edit"],
                         {"stale": stale, "foreign": foreign["csrf_token"]})  # fmt: skip
        key = token_for(post["key"], own["submission_key"], post["edit"],
                        {"forged": "abc.def", "other": other_key})  # fmt: skip
        raw = [(n, t) for n, t in (("csrf_token", csrf), ("submission_key", key)) if t]
        shape = [("~shown", post["shape"])] if post["shape"] is not None else []
        data = form_body([*pairs, ("action", post["action"]), *shape], raw)
        url = f"/s/{definition.id}?page={quote(post['page'], safe='')}"
        response = client.post(url, data=data, content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, response.status_code
        if "/thanks" in response.headers.get("Location", ""):
            own = tokens_for(client, definition.id)

    run()
    assert_only_valid_responses_stored(hostile_app, definition)


def token_for(choice: str, valid: str, edit, others: dict[str, str]) -> str | None:
    """The token a drawn choice names, percent-encoded; None when it is left out."""
    if choice == "edited":
        return edited(valid, edit)
    if choice == "missing":
        return None
    return quote(valid if choice == "valid" else others[choice], safe="")


def assert_only_valid_responses_stored(app, definition):
    """Every stored response is what the rules keep of its own answers (no answer to a
    question it was not shown, none after a screening point, every required one given
    unless screened out) with the order it was shown, never a forged one; its status and
    not-shown rows agree, and the counters too."""
    from surveyapp.figures.tallies import verify_tallies

    db = store.thread_connection(app.config["DATABASE"])
    sql = "SELECT id, answers, status, submission_key FROM responses WHERE survey = ?"
    for row in db.query(sql, [definition.id]):
        answers = json.loads(row["answers"])
        orders = randomize.orders(definition, row["submission_key"])
        # From the answers alone: a page post never marks a field not asked.
        checked = check_response(definition, stored_getlist(answers))
        assert checked.errors == {} and checked.answers | orders == answers
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
        return st.one_of(ANSWER_NUMBERS, ANSWER_NUMBERS, TEXTS)
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

    @examples(3000)  # 150 walks in the quick profile: fewer may never reach the end
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


def test_non_ascii_submission_key_is_refused_with_the_answers_kept(client, db):
    """`a.é` once reached hmac.compare_digest, which refuses non-ASCII text (a 500)."""
    tokens = tokens_for(client, "cmo")
    data = f"csrf_token={tokens['csrf_token']}&submission_key=a.%C3%A9&company_size=small"
    response = client.post("/s/cmo", data=data, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "Your answers are kept" in response.text
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


@pytest.fixture
def invited_app(make_app):
    return make_app(INVITED)


def test_hostile_invitation_tokens(invited_app):
    """/i/<token> with a real token edited (non-ASCII text, odd bytes) or with text that
    was never a token: the one refusal page, never a 5xx, no session for the edition."""
    db = store.thread_connection(invited_app.config["DATABASE"])
    secret = invited_app.config["SECRET_KEY"]
    [(token, _email, _expires)] = invitations.create(db, secret, "invited", 2026, [None], 30)
    client = invited_app.test_client()
    never = st.one_of(st.text(max_size=60).map(lambda t: quote(t, safe="")), RAW)

    @examples()
    @given(choice=st.one_of(EDITS, never))
    def run(choice):
        path = "/i/" + (edited(token, choice) if isinstance(choice, tuple) else choice)
        response = client.get(path)
        assert response.status_code in (403, 404), (path, response.status_code)

    run()
    assert client.get("/s/invited").status_code == 403, "no edited token opened the edition"
    assert client.get(f"/i/{token}").status_code == 302, "the real token still works"


NEW_OPTIONS = ["t_ranking", "t_other", "t_exclusive", "t_matrix_na", "t_random"]


def _question_answers(q):
    """A valid-looking answer to one question: a permutation of ranks, code lists (maybe an
    exclusive code with others), one code per field, a text for free fields."""
    from surveyapp.questionnaire.types import REGISTRY

    qtype = REGISTRY[q.type]
    coded = dict(qtype.tallied(q))
    names = qtype.field_names(q)
    if qtype.tally == "ranks":
        ranks = [o.code for o in coded[names[0]]]
        return st.permutations(names).map(lambda order: dict(zip(order, ranks, strict=False)))
    fields = {}
    for name in names:
        codes = [o.code for o in coded.get(name, ())]
        if codes and qtype.separator:
            fields[name] = st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True)
        else:
            fields[name] = st.sampled_from(codes or ["Fine", "", "x" * 300])
    return st.fixed_dictionaries(fields)


def near_valid_posts(definition):
    """Answers close to valid, some with one field replaced by a hostile value (a rank out of
    range, a code or text where it does not belong) or by another field's value (a rank
    given twice), always with forged orders."""
    forged = {e.name: ";".join(reversed(e.codes)) for e in randomize.elements(definition)}
    parts = [_question_answers(q) for q in definition.questions()]
    answers = st.tuples(*parts).map(lambda found: {k: v for d in found for k, v in d.items()})
    names = field_names(definition)
    spoiled = st.tuples(answers, st.sampled_from(names), values_for(definition)).map(
        lambda t: {**t[0], t[1]: t[2]})  # fmt: skip
    copied = st.tuples(answers, st.sampled_from(names), st.sampled_from(names)).map(
        lambda t: {**t[0], t[2]: t[0].get(t[1], "")})  # fmt: skip
    return st.one_of(answers, spoiled, copied).map(lambda a: {**a, **forged})


@pytest.mark.parametrize("survey", NEW_OPTIONS)
def test_near_valid_posts_store_only_what_the_rules_allow(hostile_app, survey):
    definition = CATALOG.latest(survey)
    pages = len(definition.pages)
    stored = 0

    @examples()  # 2,000 in the thorough profile, 100 in the quick one
    @given(answers=near_valid_posts(definition))
    def run(answers):
        nonlocal stored
        client = hostile_app.test_client()
        data = {**tokens_for(client, survey), **answers}
        for number in range(1, pages + 1):
            action = "submit" if number == pages else "next"
            response = client.post(f"/s/{survey}?page={number}", data={**data, "action": action})
            assert response.status_code < 500, response.status_code
            if response.status_code != 302:
                return
        stored += "/thanks" in response.headers["Location"]

    run()
    assert stored > 0  # some posts were valid, so the checks below are not vacuous
    assert_only_valid_responses_stored(hostile_app, definition)
    db = store.thread_connection(hostile_app.config["DATABASE"])
    for (answers,) in db.execute("SELECT answers FROM responses WHERE survey = ?", [survey]):
        assert_rules_hold(definition, json.loads(answers))


def assert_rules_hold(definition, answers):
    """The new rules, checked apart from the code that enforces them."""
    for q in definition.questions():
        if q.type == "ranking":
            ranks = sorted(int(answers[f"{q.id}-{o.code}"]) for o in q.options
                           if f"{q.id}-{o.code}" in answers)  # fmt: skip
            top = q.settings.get("max_ranks") or len(q.options)
            assert ranks in ([], list(range(1, top + 1))), (q.id, ranks)
        picked = answers.get(q.id, [])
        picked = picked if isinstance(picked, list) else [picked]
        if any(o.exclusive and o.code in picked for o in q.options):
            assert len(picked) == 1, (q.id, picked)
        other = next((o for o in q.options if o.other), None)
        if other is not None:
            assert (f"{q.id}-other" in answers) == (other.code in picked), (q.id, answers)
