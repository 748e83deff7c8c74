"""The report pages over HTTP: trends (HTML and JSON), segments, editions, upload import,
both sides compared, and the printable report with its server-drawn SVG charts."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from scipy import stats as scipy_stats

from surveyapp.exchange.importer import import_file
from surveyapp.figures.tallies import verify_tallies
from tests.adminkit import add, admin_client, cmo, csrf, login, make_admin
from tests.history import HISTORY, count, counters, fixture_rows, history_app, recount

pytestmark = pytest.mark.both_engines

TOP2 = {"very_common", "somewhat_common"}
HOSTILE = '<script>alert("x")</script>'


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each open element."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict, list[str]]] = []
        self.stack: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        text: list[str] = []
        self.found.append((tag, dict(attrs), text))
        if tag not in {"input", "br", "meta", "link", "img", "line", "rect"}:
            self.stack.append(text)

    def handle_endtag(self, tag):
        if self.stack and tag not in {"input", "br", "meta", "link", "img", "line", "rect"}:
            self.stack.pop()

    def handle_data(self, data):
        for text in self.stack:
            text.append(data)

    def all(self, tag: str, **attrs) -> list[tuple[dict, str]]:
        return [
            (a, " ".join(" ".join(t).split()))
            for name, a, t in self.found
            if name == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


@pytest.fixture
def app(make_app):
    return history_app(make_app)


@pytest.fixture
def history(app, db):
    for edition, path in HISTORY.items():
        assert import_file(db, app.extensions["surveys"], "cmo", edition, path).ok
    return app


@pytest.fixture
def admin(app):
    return admin_client(app)


def _reference(edition: int, field: str, keep=lambda row: True) -> tuple[int, int, int]:
    values = [r[field] for r in fixture_rows(edition) if keep(r) and r.get(field)]
    return len(values), values.count("very_common"), sum(v in TOP2 for v in values)


def test_trends_json_contract_over_http(history, admin):
    response = admin.get("/admin/surveys/cmo/trends.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document["survey"] == "cmo" and document["editions"] == [2010, 2011, 2012]
    items = document["questions"]["problems"]["items"]
    assert items["hand_off"]["2010"] is None  # not asked in 2010: a gap, not zero
    n, top, top2 = _reference(2012, "problems-timeframes")
    cell = items["timeframes"]["2012"]
    ci = scipy_stats.binomtest(top2, n).proportion_ci(method="wilson")
    assert cell["n"] == n and cell["top_box"] == round(100 * top / n, 1)
    assert cell["top2_box"] == round(100 * top2 / n, 1)
    assert cell["top2_ci95"] == [round(100 * ci.low, 1), round(100 * ci.high, 1)]
    n0, _, k0 = _reference(2011, "problems-timeframes")
    p = scipy_stats.fisher_exact([[k0, n0 - k0], [top2, n - top2]]).pvalue
    change = cell["change_top2"]
    assert {k: change[k] for k in ("points", "p", "significant")} == {
        "points": round(100 * (top2 / n - k0 / n0), 1), "p": float(f"{p:.2g}"),
        "significant": p < 0.05,
    }  # fmt: skip
    again = {"If-None-Match": response.headers["ETag"]}
    assert admin.get("/admin/surveys/cmo/trends.json", headers=again).status_code == 304
    assert history.test_client().get("/admin/surveys/cmo/trends.json").status_code == 401


def test_trends_page_draws_a_chart_and_table_per_item(history, admin):
    html = admin.get("/admin/surveys/cmo/trends").text
    page = Elements(html)
    figures = page.all("figure")
    drawn = [t for _a, t in figures if "nothing to chart" not in t]
    assert len(drawn) == len(page.all("svg", **{"class": "trend"})) > 10 and len(figures) > 12
    # a profile option has one share, never a top-box; a scale item has both boxes
    europe = page.all("figure", **{"data_item": "europe"})[0][1]
    assert "share: " in europe and "top-box" not in europe.lower()
    assert "Top-box" in page.all("figure", **{"data_item": "timeframes"})[0][1]
    hand_off = page.all("figure", **{"data_item": "hand_off"})[0][1]
    assert "not asked" in hand_off and "0.0%" not in hand_off.split("2011")[0]
    timeframes = page.all("figure", **{"data_item": "timeframes"})[0][1]
    assert "within noise (p =" in timeframes and "\u22125.9 points" in timeframes
    assert 'style="' not in html  # the CSP allows no inline style


def _profile_responses(app) -> None:
    for size, region, how_many in (("small", "europe", 6), ("large", "europe", 3),
                                   ("small", "asia", 2)):  # fmt: skip
        for _ in range(how_many):
            add(app, "cmo", cmo(size, region, ratings={"timeframes": "very_common"}))


def test_segment_filter_on_tallies_counts_kept_respondents(history, admin):
    _profile_responses(history)
    everyone = admin.get("/admin/surveys/cmo/tallies.json").json
    assert everyone["responses"] == 36 + 11 and "segment" not in everyone
    small = admin.get("/admin/surveys/cmo/tallies.json?company_size=small").json
    expected = sum(r["company_size"] == "small" for r in fixture_rows(2012)) + 8
    assert small["responses"] == expected and small["segment"] == {"company_size": ["small"]}
    timeframes = small["questions"]["problems"]["items"]["timeframes"]
    n, _top, _top2 = _reference(2012, "problems-timeframes", lambda r: r["company_size"] == "small")
    assert timeframes["n"] == n + 8
    both = admin.get("/admin/surveys/cmo/tallies.json?company_size=large&region=europe").json
    large_europe = [
        r for r in fixture_rows(2012) if (r["company_size"], r["region"]) == ("large", "europe")
    ]
    assert both["responses"] == len(large_europe) + 3
    if both["responses"] < 5:
        assert both["questions"]["problems"]["items"]["timeframes"] == {
            "n": both["responses"], "suppressed": True}  # fmt: skip
    html = admin.get("/admin/surveys/cmo?company_size=small").text
    assert f'data-kept="{expected}"' in html and "selected>Fewer than 50 employees" in html
    assert admin.get("/admin/surveys/cmo/tallies.json?region=mars").status_code == 400


def test_small_cells_are_suppressed_in_tallies_and_trends(app, admin):
    _profile_responses(app)
    asia = admin.get("/admin/surveys/cmo/tallies.json?region=asia").json
    assert asia["responses"] == 2
    assert asia["questions"]["problems"]["items"]["timeframes"] == {"n": 2, "suppressed": True}
    assert asia["questions"]["company_size"] == {"type": "single_choice", "n": 2,
                                                 "suppressed": True}  # fmt: skip
    html = admin.get("/admin/surveys/cmo?region=asia").text
    assert "n &lt; 5" in html and "100.0%" not in html
    europe = admin.get("/admin/surveys/cmo/trends.json?region=europe").json
    assert europe["respondents"]["2012"] == 9
    assert europe["questions"]["problems"]["items"]["timeframes"]["2012"]["top_box"] == 100.0
    trends_asia = admin.get("/admin/surveys/cmo/trends?region=asia").text
    assert "n &lt; 5" in trends_asia and 'data-kept="2"' in trends_asia


def test_segments_on_trends_match_the_files(history, admin):
    document = admin.get("/admin/surveys/cmo/trends.json?company_size=small&region=europe").json
    keep = lambda r: (r["company_size"], r["region"]) == ("small", "europe")  # noqa: E731
    for edition in (2010, 2011, 2012):
        kept = sum(keep(r) for r in fixture_rows(edition))
        assert document["respondents"][str(edition)] == kept
        n, top, top2 = _reference(edition, "problems-timeframes", keep)
        cell = document["questions"]["problems"]["items"]["timeframes"][str(edition)]
        if n < 5:
            assert cell == {"n": n, "suppressed": True}
        else:
            assert (cell["n"], cell["top2_box"]) == (n, round(100 * top2 / n, 1))


def test_open_and_close_editions_from_the_survey_page(history, admin, db):
    page = admin.get("/admin/surveys/cmo")
    rows = {a["data-edition"]: t for a, t in Elements(page.text).all("tr") if "data-edition" in a}
    assert rows["2012"].startswith("2012 open 36") and rows["2010"].startswith("2010 closed 39")
    token = csrf(page.text)
    assert admin.post("/admin/surveys/cmo/editions/2012/close").status_code == 400  # no CSRF
    closed = admin.post("/admin/surveys/cmo/editions/2012/close", data={"csrf_token": token})
    assert closed.status_code == 303
    assert history.test_client().get("/s/cmo").status_code == 410
    admin.post("/admin/surveys/cmo/editions/2011/open", data={"csrf_token": token})
    page = Elements(admin.get("/admin/surveys/cmo").text)
    rows = {a["data-edition"]: t for a, t in page.all("tr") if "data-edition" in a}
    assert rows["2011"].startswith("2011 open") and rows["2012"].startswith("2012 closed")
    assert history.test_client().get("/s/cmo").status_code == 200
    make_admin(history, "vera", role="viewer")
    viewer = history.test_client()
    login(viewer, "vera")
    viewer_page = viewer.get("/admin/surveys/cmo").text
    assert "Close 2011" not in viewer_page
    refused = viewer.post("/admin/surveys/cmo/editions/2011/close",
                          data={"csrf_token": csrf(viewer_page)})  # fmt: skip
    assert refused.status_code == 403
    assert count(db, "responses") == 125


def _upload(client, data: bytes, name: str, edition: int, fmt: str = ""):
    token = csrf(client.get("/admin/surveys/cmo/import").text)
    return client.post(
        "/admin/surveys/cmo/import",
        data={
            "csrf_token": token,
            "edition": str(edition),
            "format": fmt,
            "file": (__import__("io").BytesIO(data), name),
        },  # fmt: skip
        content_type="multipart/form-data",
    )


def test_upload_import_is_exact_and_not_repeated(app, admin, db):
    data = HISTORY[2011].read_bytes()
    done = _upload(admin, data, "cmo-2011.jsonl", 2011)
    assert done.status_code == 200
    assert "data-created>50<" in done.text and "data-skipped>0<" in done.text
    assert count(db, "responses") == 50 == len(fixture_rows(2011))
    assert verify_tallies(db, app.extensions["surveys"]) == []
    assert counters(db) == recount(db)
    again = _upload(admin, data, "again.jsonl", 2011, "jsonl")
    assert "data-created>0<" in again.text and "data-skipped>50<" in again.text
    assert "imported before" in again.text
    assert count(db, "responses") == 50 and counters(db) == recount(db)


def test_upload_with_bad_rows_reports_all_and_writes_nothing(app, admin, db):
    lines = HISTORY[2012].read_text(encoding="utf-8").splitlines()
    small = [n for n, line in enumerate(lines, 1) if ",small," in line]  # header is row 1
    bad = small[1:4]
    for number in bad:
        lines[number - 1] = lines[number - 1].replace(",small,", ",tiny,", 1)
    refused = _upload(admin, "\n".join(lines).encode(), "bad.csv", 2012)
    assert refused.status_code == 422
    errors = [t for _a, t in Elements(refused.text).all("li")]
    assert [e for e in errors if e.startswith("bad.csv:row")] == [
        f"bad.csv:row {n}: company_size: unknown code 'tiny'" for n in bad
    ]
    assert count(db, "responses") == 0 and count(db, "counters") == 0
    assert count(db, "responses") == 0


def test_upload_larger_than_the_limit_is_refused(make_app):
    app = history_app(make_app, IMPORT_MAX_BYTES=4096)
    client = admin_client(app)
    data = HISTORY[2012].read_bytes()
    assert len(data) > 4096
    refused = _upload(client, data, "cmo-2012.csv", 2012)
    assert refused.status_code == 400 and "larger than 4 KiB" in refused.text
    assert _upload(client, data[:4000].rsplit(b"\n", 1)[0], "part.csv", 2012).status_code == 200


def _pairs(admin) -> tuple[Elements, dict[str, str]]:
    page = Elements(admin.get("/admin/compare/2012").text)
    return page, {a["data-pair"]: t for a, t in page.all("tr") if "data-pair" in a}


def test_compare_aligns_the_mirrored_pairs(app, admin):
    question = app.extensions["surveys"]["client"][2012].question("importance")
    scale = [o.code for o in question.options]
    client_answers = {"company_size": "small", "region": "asia"}
    client_answers |= {f"importance-{i.code}": scale[2] for i in question.items}
    client_answers["importance-good_relationship"] = scale[0]
    for _ in range(5):
        add(app, "client", client_answers)
    for _ in range(3):
        add(app, "cmo", cmo(ratings={"communicate": "very_common"}))
    _page, pairs = _pairs(admin)
    assert set(pairs) == {"importance-good_relationship|problems-communicate",
                          "importance-stick_to_schedule|problems-timeframes"}  # fmt: skip
    row = pairs["importance-good_relationship|problems-communicate"]
    assert row == "establishes a good working relationship 1 100.0% " + (
        "Clients don't communicate with us effectively n < 5"
    )
    for _ in range(2):
        add(app, "cmo", cmo(ratings={"communicate": "very_common"}))
    page, pairs = _pairs(admin)
    row = pairs["importance-good_relationship|problems-communicate"]
    assert row == "establishes a good working relationship 1 100.0% " + (
        "Clients don't communicate with us effectively 1 100.0%"
    )
    sides = [a["data-side"] for a, _t in page.all("div") if "data-side" in a]
    assert sides == ["client", "cmo"]
    cmo_ranks = [t for a, t in page.all("tr") if a.get("data-field", "").startswith("problems-")]
    assert cmo_ranks[0].startswith("1 ") and "communicate" not in cmo_ranks[1]
    assert admin.get("/admin/compare/1999").status_code == 404


def test_report_page_renders_its_svg_charts(history, admin):
    add(history, "cmo", cmo(comments=HOSTILE))
    response = admin.get("/admin/report/2012")
    html = response.text
    page = Elements(html)
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in html
    parts = page.all("section", **{"class": "report-part"})
    assert [a["id"] for a, _t in parts] == ["r-client", "r-cmo"]
    cmo_part = parts[1][1]
    assert page.all("strong", data_respondents="cmo")[0][1] == "37"
    charts = page.all("svg", **{"class": "matrix-trend"})
    assert len(charts) == len(page.all("figure")) == 1  # client has no answers: no chart
    assert all(a.get("role") == "img" and a.get("aria-label") for a, _t in charts)
    marks = Counter(a.get("class") for name, a, _t in page.found if name == "circle")
    assert marks["mark ed-last"] == 10 + 1 and marks["mark ed-2"] == 9 + 1  # and the legend's
    assert "not asked" in cmo_part and ("within noise" in cmo_part or "significant" in cmo_part)
    assert HOSTILE not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    ranked = [t for a, t in page.all("tr") if a.get("data-field", "").startswith("problems-")]
    assert len(ranked) == 10 and "ranks 1st by top-box, 1st by top-2-box" in ranked[0]
    assert "<script" not in html.split("</main>")[0].split("<main")[1]
    assert admin.get("/admin/report/1999").status_code == 404


def _links(client, url: str) -> set[str]:
    return {a.get("href") for a, _t in Elements(client.get(url).text).all("a")}


def test_dashboard_and_survey_page_link_the_report_pages(history, admin):
    dashboard = _links(admin, "/admin/")
    assert {"/admin/report/2012", "/admin/compare/2012", "/admin/report/2010",
            "/admin/surveys/cmo/trends"} <= dashboard  # fmt: skip
    assert "/admin/compare/2010" not in dashboard  # no questionnaire mirrors cmo in 2010
    survey = _links(admin, "/admin/surveys/cmo")
    assert {"/admin/surveys/cmo/trends", "/admin/compare/2012", "/admin/report/2012",
            "/admin/surveys/cmo/import"} <= survey  # fmt: skip
    old = _links(admin, "/admin/surveys/cmo?edition=2010")
    assert "/admin/report/2010" in old and "/admin/compare/2010" not in old
    for link in sorted(dashboard | survey | old):
        if link.startswith("/admin/") and "export" not in link and "codebook" not in link:
            assert admin.get(link).status_code == 200, link


def test_segment_with_several_codes_and_a_time_range(app, admin):
    _profile_responses(app)
    add(app, "cmo", cmo("medium", "other"), submitted_at="2001-01-01T00:00:00.000000Z")
    both = admin.get("/admin/surveys/cmo/tallies.json?region=europe&region=asia").json
    assert both["responses"] == 11 and both["segment"] == {"region": ["europe", "asia"]}
    assert admin.get("/admin/surveys/cmo/tallies.json?company_size=medium").json["responses"] == 1
    timed = admin.get("/admin/surveys/cmo/tallies.json?company_size=medium&until=2002-01-01").json
    assert timed["responses"] == 1
    later = admin.get("/admin/surveys/cmo/tallies.json?company_size=medium&since=2002-01-01").json
    assert later["responses"] == 0
    assert later["questions"]["problems"]["items"]["timeframes"] == {"n": 0, "suppressed": True}
