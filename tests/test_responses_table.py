"""The responses table: chosen columns, sort, key paging, search, each filter, bad input."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp import store
from surveyapp.questionnaire.marks import SCREENED_OUT
from tests.adminkit import add, admin_client, cmo, login, make_admin
from tests.conftest import examples
from tests.hostile import NUMBERS, RAW

URL = "/admin/surveys/cmo/responses"


def row_ids(html: str) -> list[str]:
    """The response ids of the table's rows, in order."""
    return re.findall(r'<th scope="row"><a href="/admin/surveys/cmo/responses/([0-9a-f]+)"', html)


def next_link(html: str) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.fixture
def filled(app):
    """Five cmo responses a day apart: sizes, regions and comments differ."""
    answers = [
        cmo("small", "europe", comments="Slow hand-off from the client"),
        cmo("medium", "asia", comments="Zürich team was great"),
        cmo("large", "europe", ratings={"communicate": "very_common"}),
        cmo("small", "asia", comments="great prices, slow paperwork"),
        cmo("medium", "other", comments="Nothing to add"),
    ]
    ids = [
        add(app, "cmo", a, submitted_at=f"2026-04-0{n + 1}T08:00:00.000000Z")
        for n, a in enumerate(answers)
    ]
    return app, ids


@pytest.mark.both_engines
def test_default_columns_and_newest_first(filled):
    app, ids = filled
    html = admin_client(app).get(URL).text
    assert row_ids(html) == ids[::-1]
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert "How many employees" in head and "Comments on the client" in head
    assert "Fewer than 50 employees" in html  # labels, not codes
    assert "5 responses match" in html


@pytest.mark.both_engines
def test_chosen_columns_are_kept_in_the_url(filled):
    app, ids = filled
    html = admin_client(app).get(f"{URL}?col=region&col=problems-communicate").text
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert "Where is your organisation based?" in head and "How many employees" not in head
    assert "Very common problem" in html
    assert 'value="region" checked' in html and 'value="company_size" checked' not in html
    assert "col=region&amp;col=problems-communicate" in html  # carried by the sort links


@pytest.mark.both_engines
def test_sort_by_time_and_by_a_column(filled):
    app, ids = filled
    client = admin_client(app)
    assert row_ids(client.get(f"{URL}?dir=asc").text) == ids
    by_size = client.get(f"{URL}?sort=company_size&dir=asc").text
    # large < medium < small as codes; row id breaks the ties
    assert row_ids(by_size) == [ids[2], ids[1], ids[4], ids[0], ids[3]]
    assert 'aria-sort="ascending"' in by_size
    down = row_ids(client.get(f"{URL}?sort=company_size&dir=desc").text)
    assert down == [ids[3], ids[0], ids[4], ids[1], ids[2]]


@pytest.mark.both_engines
@pytest.mark.parametrize("query", ["", "sort=company_size&dir=asc", "dir=asc&answer=region=asia"])
def test_key_paging_visits_every_row_once(filled, query):
    app, ids = filled
    app.config["RESPONSES_PER_PAGE"] = 2
    client = admin_client(app)
    whole = row_ids(client.get(f"{URL}?{query}").text)
    app.config["RESPONSES_PER_PAGE"] = 50
    expected = row_ids(client.get(f"{URL}?{query}").text)
    app.config["RESPONSES_PER_PAGE"] = 2
    seen, url = [], f"{URL}?{query}"
    for _ in range(10):
        html = client.get(url).text
        seen += row_ids(html)
        url = next_link(html)
        if url is None:
            break
    assert seen == expected and whole == expected[:2]


@pytest.mark.both_engines
def test_paging_is_stable_while_responses_arrive(filled):
    app, ids = filled
    app.config["RESPONSES_PER_PAGE"] = 2
    client = admin_client(app)
    first = client.get(URL).text
    newer = add(app, "cmo", cmo(), submitted_at="2026-04-09T08:00:00.000000Z")
    second = client.get(next_link(first)).text
    assert row_ids(second) == [ids[2], ids[1]] and newer not in second


@pytest.mark.both_engines
def test_search_in_text_answers(filled):
    app, ids = filled
    client = admin_client(app)
    assert row_ids(client.get(f"{URL}?q=slow").text) == [ids[3], ids[0]]
    assert row_ids(client.get(f"{URL}?q=zurich").text) == [ids[1]]  # accents folded
    assert row_ids(client.get(f"{URL}?q=great+slow").text) == [ids[3]]  # every word
    assert row_ids(client.get(f"{URL}?q=gre").text) == [ids[3], ids[1]]  # as prefixes
    assert row_ids(client.get(f"{URL}?q=europe").text) == []  # codes are not text answers
    assert row_ids(client.get(f'{URL}?q="AND OR*(').text) == []  # no FTS syntax gets through
    assert len(row_ids(client.get(f"{URL}?q=+").text)) == 5  # no words: no search


@pytest.mark.both_engines
def test_filter_by_answers(filled):
    app, ids = filled
    client = admin_client(app)
    assert row_ids(client.get(f"{URL}?answer=region=asia").text) == [ids[3], ids[1]]
    both = client.get(f"{URL}?answer=region=asia&answer=company_size=small").text
    assert row_ids(both) == [ids[3]] and "1 response matches" in both
    assert 'value="region=asia" selected' in both
    rated = client.get(f"{URL}?answer=problems-communicate=very_common").text
    assert row_ids(rated) == [ids[2]]


@pytest.mark.both_engines
def test_filter_by_edition_time_and_status(filled):
    app, ids = filled
    screened = add(app, "cmo", {"manufactures_for_clients": "no", SCREENED_OUT: True},
                   submitted_at="2026-04-08T08:00:00.000000Z")  # fmt: skip
    client = admin_client(app)
    assert row_ids(client.get(f"{URL}?since=2026-04-02&until=2026-04-04").text) == ids[1:3][::-1]
    assert row_ids(client.get(f"{URL}?status=screened_out").text) == [screened]
    assert screened not in client.get(f"{URL}?status=completed").text
    assert len(row_ids(client.get(f"{URL}?edition=2012").text)) == 6
    assert row_ids(client.get(f"{URL}?edition=2011").text) == []


@pytest.mark.both_engines
def test_filter_by_language_once_responses_carry_one(filled):
    app, ids = filled
    client = admin_client(app)
    assert 'name="language"' not in client.get(URL).text  # no language recorded, no filter
    db = store.thread_connection(app.config["DATABASE"])
    with store.immediate(db):
        db.execute("UPDATE responses SET language = 'de' WHERE response_id = ?", [ids[1]])
        db.execute("UPDATE responses SET language = 'en' WHERE response_id != ?", [ids[1]])
    html = client.get(f"{URL}?language=de").text
    assert 'name="language"' in html and row_ids(html) == [ids[1]]
    assert client.get(f"{URL}?language=fr").status_code == 400


@pytest.mark.both_engines
def test_search_and_filters_combine(filled):
    app, ids = filled
    html = admin_client(app).get(f"{URL}?q=slow&answer=region=asia&since=2026-04-02").text
    assert row_ids(html) == [ids[3]]


@pytest.mark.both_engines
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("col=nope", "col: no field"),
        ("sort=nope", "sort: no field"),
        ("dir=up", "dir: choose one of"),
        ("answer=region", "answer:"),
        ("answer=nope=1", "answer:"),
        ("status=done", "status: choose one of"),
        ("show=all", "show: choose one of"),
        ("after=notbase64!", "after: not a position"),
        ("after=WyJ4IiwgIjEiXQ==", "after: not a position"),  # ["x", "1"]
        ("edition=x", "edition:"),
        ("since=yesterday", "since:"),
        ("q=" + "x" * 201, "q: longer than"),
    ],
)
def test_bad_arguments_get_400_with_a_message(filled, query, message):
    app, _ = filled
    response = admin_client(app).get(f"{URL}?{query}")
    assert response.status_code == 400 and message in response.text


@pytest.mark.both_engines
def test_viewers_cannot_reach_the_table_search_or_a_response(filled):
    app, ids = filled
    make_admin(app, "vera", role="viewer")
    client = app.test_client()
    login(client, "vera")
    for url in (URL, f"{URL}?q=slow", f"{URL}?answer=region=asia", f"{URL}/{ids[0]}"):
        response = client.get(url)
        assert response.status_code == 403 and "Slow hand-off" not in response.text


@pytest.mark.both_engines
def test_one_screen_response_view_names_each_question_once(filled):
    app, ids = filled
    html = admin_client(app).get(f"{URL}/{ids[0]}").text
    sheet = html[html.index('class="answer-sheet"') : html.index("</table>")]
    assert sheet.count('class="first"') == 5  # manufactures, size, region, problems, comments
    # the matrix: its question once as visible text, then ten items beside their answers
    assert sheet.count("How common are these problems with your clients?") == 10
    assert sheet.count('<span class="visually-hidden">How common are these problems') == 9
    assert "Slow hand-off from the client" in sheet and "Rare problem" in sheet


@pytest.mark.both_engines
@pytest.mark.parametrize("rare", [0.0, 1.0])
def test_answer_filters_agree_whether_listed_up_front_or_probed(filled, monkeypatch, rare):
    app, ids = filled
    monkeypatch.setattr("surveyapp.store.table.RARE", rare)
    client = admin_client(app)
    html = client.get(f"{URL}?answer=region=europe&answer=company_size=small&q=slow").text
    assert row_ids(html) == [ids[0]]
    assert row_ids(client.get(f"{URL}?answer=region=asia&answer=region=europe").text) == []


@pytest.mark.both_engines
def test_a_long_filtered_count_stops_at_its_limit(filled, monkeypatch):
    app, _ = filled
    monkeypatch.setattr("surveyapp.store.table.COUNT_LIMIT", 2)
    client = admin_client(app)
    exact = client.get(f"{URL}?answer=region=europe").text
    assert "2 responses match" in exact and "More than" not in exact
    many = client.get(f"{URL}?answer=problems-communicate=rare").text
    assert "More than 2 responses match" in many and len(row_ids(many)) == 4
    assert "5 responses match" in client.get(URL).text  # no search or answer filter: exact


def test_the_migration_indexes_responses_stored_before_it(filled):
    from surveyapp.store.migrations.responses import m100_responses_search

    app, ids = filled
    db = store.thread_connection(app.config["DATABASE"])
    with store.immediate(db):
        db.execute("DROP TABLE response_search")
        m100_responses_search(db)
    client = admin_client(app)
    assert row_ids(client.get(f"{URL}?q=slow").text) == [ids[3], ids[0]]
    assert row_ids(client.get(f"{URL}?q=europe").text) == []  # counted fields stay out


RAW_VALUES = {"%C3%A9", "%ED%A0%80", "%FF%FE", "%C0%AF", "%00", "%E2%80%AE", "%F0%9F%98%80",
              "%0D%0A", "%25", "+", "a%26b%3Dc"}  # fmt: skip
TABLE_KEYS = ["q", "col", "sort", "dir", "answer", "after", "status", "show", "language",
              "edition", "since", "until"]  # fmt: skip
# Values a browser would not send, and values that are nearly right: a field, a field=code,
# FTS5 syntax, a position that decodes to the wrong shape.
TABLE_VALUES = st.one_of(
    st.text(max_size=30), NUMBERS, RAW,
    st.sampled_from(["region", "region=asia", "comments=", "=", "region==asia", "NEAR(a b)",
                     'a" OR "b', "*", "-slow", "^x", "WyJ4IiwgLTFd", "WzEsIDJd", "W10=", "\x00",
                     "\ud800", "asc", "desc", "excluded", "screened_out", "x" * 300]),
)  # fmt: skip


@pytest.mark.both_engines
def test_hostile_query_strings_get_a_page_or_400(filled):
    app, _ = filled
    client = admin_client(app)
    held = store.thread_connection(app.config["DATABASE"]).execute(
        "SELECT count(*) FROM audit").fetchone()[0]  # fmt: skip

    @given(st.lists(st.tuples(st.sampled_from(TABLE_KEYS), TABLE_VALUES), max_size=6))
    def check(pairs):
        string = "&".join(
            f"{k}={v if v in RAW_VALUES else quote(v, safe='', errors='surrogatepass')}"
            for k, v in pairs
        )
        response = client.get(URL, query_string=string)
        assert response.status_code in (200, 400), (string, response.status_code)

    examples(400)(check)()
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM audit").fetchone()[0] == held
