"""Cross-tabs: the chi-square test against scipy (which the app never imports), column
percentages and suppression, the page and its CSV for admins and viewers."""

from __future__ import annotations

import csv
import io
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from surveyapp.figures import chisquare
from surveyapp.figures.crosstab import Axis, crosstab, csv_rows
from tests.adminkit import add, admin_client, login, make_admin
from tests.conftest import examples
from tests.test_results import STUDY, study_answers

pytestmark = pytest.mark.both_engines

CLOSE = {"rel": 1e-9, "abs": 1e-14}


def _tables():
    shape = st.tuples(st.integers(2, 5), st.integers(2, 6))
    return shape.flatmap(lambda s: st.lists(
        st.lists(st.integers(0, 400), min_size=s[1], max_size=s[1]), min_size=s[0], max_size=s[0]
    ))  # fmt: skip


def _kept(table: list[list[int]]) -> list[list[int]]:
    rows = [r for r in table if any(r)]
    columns = [j for j in range(len(table[0])) if any(r[j] for r in rows)]
    return [[r[j] for j in columns] for r in rows]


@examples(300)
@given(_tables())
def test_chi_square_matches_scipy_on_generated_tables(table):
    found = chisquare.chi_square(table)
    kept = _kept(table)
    if len(kept) < 2 or len(kept[0]) < 2:
        assert found is None
        return
    ref = scipy_stats.chi2_contingency(kept, correction=False)
    assert found.statistic == pytest.approx(ref.statistic, **CLOSE)
    assert found.df == ref.dof
    assert found.p == pytest.approx(ref.pvalue, rel=1e-8, abs=1e-300)
    for mine, theirs in zip(found.expected, ref.expected_freq.tolist(), strict=True):
        assert mine == pytest.approx(theirs, rel=1e-12)
    assert found.small_expected == int((ref.expected_freq < 5).sum())


@examples(300)
@given(st.floats(0, 2000, allow_nan=False), st.integers(1, 300))
def test_survival_function_matches_scipy(x, df):
    assert chisquare.chi2_sf(x, df) == pytest.approx(scipy_stats.chi2.sf(x, df), rel=1e-9,
                                                     abs=1e-300)  # fmt: skip


def test_wording_is_honest_both_ways():
    strong = chisquare.chi_square([[40, 10], [10, 40]])
    assert strong.p < 0.001
    assert strong.wording == (
        "χ² = 36.0, df = 1, p < 0.001: evidence of an association at the 5% level"
        " (not of its size or cause)"
    )
    weak = chisquare.chi_square([[10, 20, 30], [6, 9, 17]])
    assert weak.wording == "χ² = 0.3, df = 2, p = 0.87: no evidence of association at the 5% level"
    assert weak.warning == ""
    sparse = chisquare.chi_square([[3, 1], [1, 4]])
    assert sparse.warning == (
        "4 of 4 cells expect fewer than 5 responses: the p-value is unreliable."
    )


ROW = Axis("team", "Team", (("red", "Red"), ("blue", "Blue")))
COLUMN = Axis("site", "Site", (("north", "North"), ("south", "South"), ("east", "East")))


def test_column_percentages_and_a_suppressed_column():
    found = {("red", "north"): 6, ("blue", "north"): 2, ("red", "south"): 5, ("blue", "south"): 15,
             ("red", "east"): 1, ("blue", "east"): 3, ("other", "north"): 9}  # fmt: skip
    table = crosstab(ROW, COLUMN, found, 5)
    north, south, east = table["columns"]
    assert (north["n"], north["counts"], north["percent"]) == (8, [6, 2], [75.0, 25.0])
    assert (south["n"], south["percent"]) == (20, [25.0, 75.0])
    assert east["suppressed"] and east["counts"] is None and east["percent"] is None
    assert table["n"] == 28 and [r["total"] for r in table["rows"]] == [11, 17]
    ref = scipy_stats.chi2_contingency([[6, 5], [2, 15]], correction=False)
    assert table["test"].p == pytest.approx(ref.pvalue, rel=1e-9)
    lines = csv_rows(table)
    assert lines[1] == ["team", "red", "Red", "site", "north", "North", "6", "75.0", "8", "no"]
    assert lines[-1] == ["team", "blue", "Blue", "site", "east", "East", "", "", "", "yes"]


def _study_app(make_app, count=60, seed=5):
    app = make_app(STUDY)
    rng = random.Random(seed)
    for _ in range(count):
        add(app, "study", study_answers(rng))
    return app


def _direct(app, row, column):
    from surveyapp import store

    db = store.thread_connection(app.config["DATABASE"])
    pairs = db.execute(
        "SELECT a.value, b.value FROM answers a JOIN answers b ON a.response = b.response"
        " WHERE a.field = ? AND b.field = ?", [row, column]).fetchall()  # fmt: skip
    found = {}
    for pair in pairs:
        found[pair] = found.get(pair, 0) + 1
    return found


def test_admin_page_counts_every_pair_and_tests_it(make_app):
    app = _study_app(make_app)
    client = admin_client(app)
    page = client.get("/admin/surveys/study/crosstab?row=team&col=site")
    assert page.status_code == 200
    direct = _direct(app, "team", "site")
    for (team, site), n in direct.items():
        assert f'data-cell="{team}|{site}">{n}<' in page.text
    teams, sites = ["red", "blue", "green"], ["north", "south"]
    ref = scipy_stats.chi2_contingency(
        [[direct.get((t, s), 0) for s in sites] for t in teams], correction=False)  # fmt: skip
    assert f"χ² = {ref.statistic:.1f}, df = 2, " in page.text
    assert "at the 5% level" in page.text
    add(app, "study", study_answers(random.Random(1)) | {"team": "red", "site": "north"})
    again = client.get("/admin/surveys/study/crosstab?row=team&col=site").text
    n = direct.get(("red", "north"), 0) + 1
    assert f'data-cell="red|north">{n}<' in again  # a new response is counted at once


def test_csv_download_matches_the_page(make_app):
    app = _study_app(make_app)
    client = admin_client(app)
    response = client.get("/admin/surveys/study/crosstab.csv?row=site&col=views-clear")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    direct = _direct(app, "site", "views-clear")
    assert {r["column_code"] for r in rows} == {"strongly_agree", "agree", "neutral",
                                               "disagree", "strongly_disagree"}  # fmt: skip
    for r in rows:
        if r["suppressed"] == "no":
            assert int(r["count"]) == direct.get((r["row_code"], r["column_code"]), 0)
        else:
            assert (
                r["count"] == ""
                and sum(direct.get((code, r["column_code"]), 0) for code in ("north", "south")) < 5
            )


def test_small_columns_are_suppressed_on_the_page(make_app):
    app = make_app(STUDY)
    rng = random.Random(2)
    for _ in range(12):
        add(app, "study", study_answers(rng) | {"site": "north"})
    for _ in range(3):
        add(app, "study", study_answers(rng) | {"site": "south"})
    page = admin_client(app).get("/admin/surveys/study/crosstab?row=team&col=site").text
    assert page.count('class="num suppressed">n &lt; 5<') == 3  # every row of "South"
    assert "No test: it needs at least two rows and two columns" in page


def test_bad_choices_are_explained_at_their_field(make_app):
    app = _study_app(make_app, count=5)
    client = admin_client(app)
    page = client.get("/admin/surveys/study/crosstab?row=hours&col=team")
    assert page.status_code == 400
    assert "&#39;hours&#39; is not a choice question of this edition." in page.text
    assert 'aria-describedby="x-row-error"' in page.text
    same = client.get("/admin/surveys/study/crosstab?row=team&col=team")
    assert same.status_code == 400 and "Choose a different question" in same.text
    multiple = client.get("/admin/surveys/study/crosstab?row=tools&col=team")
    assert multiple.status_code == 400  # several picks per respondent: no cross-tab
    assert client.get("/admin/surveys/study/crosstab.csv?row=x").status_code == 400


def test_viewer_gets_editions_of_released_responses_only(make_app):
    app = _study_app(make_app, count=0)
    rng = random.Random(9)
    for _ in range(12):  # stored yesterday: released in whole blocks of 5
        add(app, "study", study_answers(rng), submitted_at="2020-01-01T00:00:00.000000Z")
    for _ in range(4):  # stored today: withheld from viewers
        add(app, "study", study_answers(rng))
    make_admin(app, "vic", role="viewer")
    viewer = app.test_client()
    login(viewer, "vic")
    for url in ("/admin/surveys/study/crosstab?row=team&col=site",
                "/admin/surveys/study/crosstab.csv?row=team&col=site"):  # fmt: skip
        refused = viewer.get(url)
        assert refused.status_code == 403, url
        assert "by edition only" in refused.text
    assert viewer.get("/admin/surveys/study/crosstab?row=team&since=2020-01-01").status_code == 403
    page = viewer.get("/admin/surveys/study/crosstab?row=team&col=edition")
    assert page.status_code == 200
    assert '<td class="num">10</td>' in page.text  # the column n: two blocks, not 16
    lines = list(csv.reader(io.StringIO(viewer.get(
        "/admin/surveys/study/crosstab.csv?row=team&col=edition").text)))  # fmt: skip
    assert {line[8] for line in lines[1:]} == {"10"}
    admin = admin_client(app).get("/admin/surveys/study/crosstab?row=team&col=edition")
    assert '<td class="num">16</td>' in admin.text
