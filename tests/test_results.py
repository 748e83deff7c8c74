"""The results page: a chart per question as its type's registry entry says, its figures
(number summaries against numpy, which the app never imports), downloads, text answers
for admins only, and a viewer's released, suppressed figures."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.figures import distribution
from surveyapp.questionnaire.types import REGISTRY
from tests.adminkit import add, admin_client, login, make_admin
from tests.conftest import examples

pytestmark = pytest.mark.both_engines

STUDY = Path(__file__).parent / "results_questionnaires"
SCALE = ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "na"]
YESTERDAY = "2020-01-01T00:00:00.000000Z"


def study_answers(rng: random.Random, remarks: str | None = None) -> dict:
    answers = {
        "team": rng.choice(["red", "blue", "green"]),
        "site": rng.choice(["north", "south"]),
        "tools": sorted(rng.sample(["mail", "chat", "wiki"], rng.randint(1, 3)),
                        key=["mail", "chat", "wiki"].index),
        "hours": str(rng.randint(20, 60)),
    }  # fmt: skip
    answers |= {f"views-{item}": rng.choice(SCALE) for item in ("clear", "tools_ok", "heard")}
    if remarks is not None:
        answers["remarks"] = remarks
    return answers


def test_every_type_names_a_chart_kind_the_page_draws():
    kinds = {name: qtype.chart for name, qtype in REGISTRY.items()}
    assert set(kinds.values()) <= {"bars", "likert", "histogram", "texts", ""}
    assert {k for k in kinds.values() if k} == {"bars", "likert", "histogram", "texts"}


@examples(200)
@given(st.lists(st.integers(-1000, 1000) | st.decimals(-50, 50, places=2), min_size=1,
                max_size=60))  # fmt: skip
def test_number_summary_matches_numpy(values):
    pairs = {}
    for v in values:
        pairs[str(v)] = pairs.get(str(v), 0) + 1
    parsed = distribution.parsed(list(pairs.items()))
    found = distribution.summary(parsed)
    floats = numpy.array([float(Decimal(str(v))) for v in values])
    assert found["n"] == len(values)
    assert found["mean"] == pytest.approx(floats.mean(), rel=1e-9, abs=1e-9)
    for key, p in (("q1", 25), ("median", 50), ("q3", 75)):
        assert found[key] == pytest.approx(numpy.percentile(floats, p), rel=1e-9, abs=1e-9)
    if len(values) > 1:
        assert found["sd"] == pytest.approx(floats.std(ddof=1), rel=1e-9, abs=1e-9)
    bins = distribution.bins(parsed)
    assert sum(b["count"] for b in bins) == len(values)
    assert len(bins) <= max(distribution.MAX_BINS + 1, distribution.ONE_PER_WHOLE + 1)
    for b in bins:  # each value falls in its bin
        last = b is bins[-1]
        inside = [f for f in floats if b["low"] <= f < b["high"] or (last and f == b["high"])]
        assert len(inside) == b["count"]


def test_values_that_are_not_numbers_are_left_out():
    assert distribution.parsed([("3", 2), ("x", 1), ("NaN", 1), ("1.5", 1)]) == [
        (Decimal("1.5"), 1), (Decimal("3"), 2)]  # fmt: skip


def _filled(make_app, count=40, seed=4):
    app = make_app(STUDY)
    rng = random.Random(seed)
    for index in range(count):
        add(app, "study", study_answers(rng, remarks=f"remark {index} 50%_off" if index % 4 == 0
                                        else None))  # fmt: skip
    return app


def _section(html: str, qid: str) -> str:
    start = html.index(f'id="r-{qid}"')
    end = html.find('<section class="result"', start + 1)
    return html[start : end if end > 0 else len(html)]


def test_admin_sees_a_chart_of_each_kind_with_its_figures(make_app):
    app = _filled(make_app)
    page = admin_client(app).get("/admin/surveys/study/results")
    assert page.status_code == 200
    html = page.text
    team = _section(html, "team")
    assert 'role="img"' in team
    assert '<title id="c-team-title">Which team are you in? (n = 40)' in team
    assert re.search(r">\d+\.\d% \(\d+\)</text>", team)  # value labels
    assert "Data table" in team
    assert "several picks each" in _section(html, "tools")
    views = _section(html, "views")
    assert "Top-box" in views and "Top-2" in views
    hours = _section(html, "hours")
    assert "median" in hours and "mean" in hours and "quartiles" in hours
    remarks = _section(html, "remarks")
    assert "10 answers" in remarks and "remark 36 50%_off" in remarks
    assert 'href="/admin/surveys/study/results/remarks/texts"' in remarks


def test_chart_downloads_as_a_standalone_svg(make_app):
    app = _filled(make_app)
    client = admin_client(app)
    svg = client.get("/admin/surveys/study/results/views.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "attachment" in svg.headers["Content-Disposition"]
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg.text and "class=" in svg.text
    assert 'fill="#' in svg.text  # colours travel with the file, not with a stylesheet
    assert client.get("/admin/surveys/study/results/remarks.svg").status_code == 404
    assert client.get("/admin/surveys/study/results/nothing.svg").status_code == 404
    assert client.get("/admin/surveys/study/results/views.svg?team=red").status_code == 200
    small = client.get("/admin/surveys/study/results/hours.svg?until=2000-01-01")
    assert small.status_code == 200 and "Too few answers to show (n &lt; 1)" in small.text


def test_text_answers_are_searched_and_paged(make_app):
    app = _filled(make_app)
    app.config["RESPONSES_PER_PAGE"] = 4
    client = admin_client(app)
    first = client.get("/admin/surveys/study/results/remarks/texts").text
    assert "10 answers" in first and "remark 36" in first and "remark 20" not in first
    second = client.get("/admin/surveys/study/results/remarks/texts?page=3").text
    assert "remark 0 " in second and "remark 36" not in second
    url = "/admin/surveys/study/results/remarks/texts"
    found = client.get(url, query_string={"search": "k 20"})
    assert "1 answer containing" in found.text and "remark 20" in found.text
    assert "10 answers containing" in client.get(url, query_string={"search": "0%_"}).text
    # % and _ are searched as typed: as wildcards "5_%" would match "50%_off"
    assert "0 answers containing" in client.get(url, query_string={"search": "5_%"}).text


def test_time_filters_narrow_every_chart(make_app):
    app = make_app(STUDY)
    rng = random.Random(1)
    for _ in range(6):
        add(app, "study", study_answers(rng) | {"hours": "10"}, submitted_at=YESTERDAY)
    for _ in range(3):
        add(app, "study", study_answers(rng) | {"hours": "90"})
    client = admin_client(app)
    old = _section(client.get("/admin/surveys/study/results?until=2020-01-02").text, "hours")
    assert "median 10.00" in old and "(n = 6)" in old
    both = _section(client.get("/admin/surveys/study/results").text, "hours")
    assert "(n = 9)" in both


def test_viewer_sees_released_figures_and_no_text(make_app):
    app = make_app(STUDY)
    rng = random.Random(3)
    for index in range(7):
        add(app, "study", study_answers(rng, remarks=f"secret {index}"), submitted_at=YESTERDAY)
    add(app, "study", study_answers(rng, remarks="secret today"))
    make_admin(app, "vic", role="viewer")
    viewer = app.test_client()
    login(viewer, "vic")
    page = viewer.get("/admin/surveys/study/results")
    assert page.status_code == 200
    assert "secret" not in page.text
    assert "shown to accounts with the admin role only" in page.text
    assert "(n = 5)" in _section(page.text, "team")  # one released block of 5, not 8
    assert "(n = 5)" in _section(page.text, "hours")
    assert viewer.get("/admin/surveys/study/results/remarks/texts").status_code == 403
    assert viewer.get("/admin/surveys/study/results?since=2020-01-01").status_code == 403
    assert viewer.get("/admin/surveys/study/results?team=red").status_code == 403
    assert viewer.get("/admin/surveys/study/results/hours.svg").status_code == 200
    assert "Min</th>" not in page.text


def test_viewer_sees_nothing_before_a_block_is_released(make_app):
    app = make_app(STUDY)
    rng = random.Random(3)
    for _ in range(4):
        add(app, "study", study_answers(rng), submitted_at=YESTERDAY)
    make_admin(app, "vic", role="viewer")
    viewer = app.test_client()
    login(viewer, "vic")
    page = viewer.get("/admin/surveys/study/results").text
    assert 'role="img"' not in page
    assert page.count("Too few answers to show (n &lt; 5") == 5  # every question but the text


def test_bad_query_arguments_get_a_clear_answer_never_a_500(make_app):
    app = _filled(make_app, count=6)
    client = admin_client(app)
    hostile = "<script>alert(1)</script>"
    cases = {
        f"/admin/surveys/study/results?edition={hostile}": 400,
        "/admin/surveys/study/results?since=yesterday": 400,
        f"/admin/surveys/study/results?team={hostile}": 400,
        "/admin/surveys/study/results/remarks/texts?page=0": 400,
        "/admin/surveys/study/results/remarks/texts?search=" + "x" * 201: 400,
        "/admin/surveys/study/results/team/texts": 404,
        f"/admin/surveys/study/crosstab?row={hostile}": 400,
        f"/admin/surveys/study/crosstab?row=team&col={hostile}": 400,
        "/admin/surveys/study/crosstab?row=team&edition=1999": 404,
        "/admin/surveys/nobody/results": 404,
    }
    for url, status in cases.items():
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        assert hostile not in response.text, url
