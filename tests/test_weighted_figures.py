"""Weighted figures on the admin pages and in their JSON, the weighting page, and the weight
column of every export."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest

from surveyapp import store
from surveyapp.figures import stats, weighting
from surveyapp.store import audit
from surveyapp.store import weights as store_weights
from tests.adminkit import add, admin_client, cmo, csrf, login, make_admin
from tests.statkit import read

pytestmark = pytest.mark.both_engines

LABEL = "weighted to: company size, region"
# (company size, region, rating of "communicate") and how many respondents gave them
SAMPLE = [
    ("small", "europe", "very_common", 14), ("small", "asia", "rare", 10),
    ("small", "north_america", "very_common", 6), ("medium", "europe", "rare", 8),
    ("medium", "north_america", "somewhat_common", 5), ("large", "asia", "very_common", 4),
    ("large", "other", "not_a_problem", 3),
]  # fmt: skip
TARGETS = {
    "company_size": {"small": "0.4", "medium": "0.35", "large": "0.25"},
    "region": {"north_america": "0.3", "europe": "0.3", "asia": "0.3", "other": "0.1"},
}


@pytest.fixture
def weighted_app(app):
    for size, region, rating, n in SAMPLE:
        for _ in range(n):
            add(app, "cmo", cmo(size, region, {"communicate": rating}))
    add(app, "cmo", {k: v for k, v in cmo().items() if k != "region"})  # cannot be weighted
    db = store.thread_connection(app.config["DATABASE"])
    for field, shares in TARGETS.items():
        store_weights.set_targets(db, "cmo", 2012, field, shares, "test")
    return app


def expected_weights() -> dict[tuple[str, str], float]:
    counts: dict = {}
    for size, region, _rating, n in SAMPLE:
        counts[size, region] = counts.get((size, region), 0) + n
    targets = [{c: float(s) for c, s in TARGETS[f].items()} for f in ("company_size", "region")]
    return weighting.rake(counts, targets).cells


def test_tallies_json_has_weighted_shares_beside_unweighted_ones(weighted_app):
    result = admin_client(weighted_app).get("/admin/surveys/cmo/tallies.json").json
    cells = expected_weights()
    block = result["weighting"]
    assert block["label"] == LABEL and block["method"] == "raking" and block["problem"] is None
    assert block["weighted"] == 50 and block["not_weighted"] == 1
    assert block["n_eff"] == pytest.approx(weighting.kish(_pairs(cells)), abs=0.05)
    # the weighting questions' weighted shares are their targets
    assert result["questions"]["company_size"]["weighted"]["percent"] == {
        "small": 40.0, "medium": 35.0, "large": 25.0}  # fmt: skip
    assert result["questions"]["company_size"]["percent"]["small"] == round(100 * 31 / 51, 1)
    item = result["questions"]["problems"]["items"]["communicate"]
    total = sum(n * cells[s, r] for s, r, _x, n in SAMPLE)
    top = sum(n * cells[s, r] for s, r, x, n in SAMPLE if x == "very_common") / total
    top2 = sum(n * cells[s, r] for s, r, x, n in SAMPLE if x in ("very_common", "somewhat_common"))
    n_eff = weighting.kish(_pairs(cells))
    low, high = stats.wilson(top2 / total * n_eff, n_eff)
    assert item["weighted"]["top_box"] == round(100 * top, 1)
    assert item["weighted"]["top2_box"] == round(100 * top2 / total, 1)
    assert item["weighted"]["n_eff"] == round(n_eff, 1)
    assert item["weighted"]["ci95"] == [round(100 * low, 1), round(100 * high, 1)]
    assert item["top_box"] == round(100 * 24 / 51, 1)  # the unweighted share is unchanged


def _pairs(cells):
    found: dict = {}
    for size, region, _rating, n in SAMPLE:
        found[size, region] = found.get((size, region), 0) + n
    return [(n, cells[cell]) for cell, n in found.items()]


def test_a_segment_is_weighted_with_the_whole_editions_weights(weighted_app):
    result = admin_client(weighted_app).get("/admin/surveys/cmo/tallies.json?region=europe").json
    cells = expected_weights()
    small, medium = 14 * cells["small", "europe"], 8 * cells["medium", "europe"]
    assert result["questions"]["company_size"]["weighted"]["percent"]["small"] == round(
        100 * small / (small + medium), 1
    )


def test_trends_json_has_weighted_cells_and_says_what_they_are_weighted_to(weighted_app):
    document = admin_client(weighted_app).get("/admin/surveys/cmo/trends.json").json
    assert document["weighting"]["2012"]["label"] == LABEL
    cell = document["questions"]["problems"]["items"]["communicate"]["2012"]
    tallied = admin_client_json(weighted_app)["questions"]["problems"]["items"]["communicate"]
    assert {k: cell["weighted"][k] for k in ("top_box", "top2_box", "n_eff", "ci95")} == {
        k: tallied["weighted"][k] for k in ("top_box", "top2_box", "n_eff", "ci95")
    }
    assert cell["top_box"] == tallied["top_box"]


def admin_client_json(app):
    client = app.test_client()
    login(client)
    return client.get("/admin/surveys/cmo/tallies.json").json


WEIGHTED_FIGURE = re.compile(r'<(p|td) class="(?:meta )?weighted"[^>]*>(.*?)</\1>', re.S)


@pytest.mark.parametrize("url", ["/admin/surveys/cmo", "/admin/surveys/cmo/trends",
                                 "/admin/report/2012"])  # fmt: skip
def test_every_weighted_figure_on_the_pages_says_so(weighted_app, url):
    page = admin_client(weighted_app).get(url)
    assert page.status_code == 200
    figures = [body for _tag, body in WEIGHTED_FIGURE.findall(page.text)]
    assert len(figures) >= 10
    for body in figures:
        assert body.strip() == "–" or LABEL in body
    assert 'class="weighting-note"' in page.text


def test_viewers_get_no_weighted_figures(weighted_app):
    make_admin(weighted_app, "vera", role="viewer")
    viewer = weighted_app.test_client()
    login(viewer, "vera")
    result = viewer.get("/admin/surveys/cmo/tallies.json").json
    assert "weighting" not in result and "weighted" not in json.dumps(result)
    assert "weighted" not in json.dumps(viewer.get("/admin/surveys/cmo/trends.json").json)
    assert LABEL not in viewer.get("/admin/surveys/cmo").text
    assert viewer.get("/admin/surveys/cmo/weights").status_code == 403


def test_targets_nobody_can_meet_say_so_and_show_nothing_weighted(app, db):
    add(app, "cmo", cmo("small", "europe"))
    store_weights.set_targets(db, "cmo", 2012, "region",
                              {"north_america": "0.5", "europe": "0.5", "asia": "0", "other": "0"},
                              "test")  # fmt: skip
    client = admin_client(app)
    result = client.get("/admin/surveys/cmo/tallies.json").json
    assert result["weighting"]["problem"].startswith("not weighted: no respondent answered")
    assert "weighted" not in json.dumps(result["questions"])
    assert "no respondent answered" in client.get("/admin/surveys/cmo").text


def test_every_export_format_has_the_weight_column(weighted_app, tmp_path):
    client = admin_client(weighted_app)
    cells = expected_weights()
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/surveys/cmo/export.csv").text)))
    expected = [cells.get((r["company_size"], r["region"])) for r in rows]
    assert expected[-1] is None and len(expected) == 51
    assert list(rows[0])[:9] == ["response_id", "submitted_at", "edition", "version", "status",
                                 "not_shown", "language", "weight",
                                 "manufactures_for_clients"]  # fmt: skip
    assert [float(r["weight"]) if r["weight"] else None for r in rows] == expected
    lines = client.get("/admin/surveys/cmo/export.jsonl").text.splitlines()
    assert [json.loads(line)["weight"] for line in lines] == expected
    book = openpyxl.load_workbook(io.BytesIO(client.get("/admin/surveys/cmo/export.xlsx").data))
    sheet = list(book.active.iter_rows(values_only=True))
    assert [row[7] for row in sheet[1:]] == expected and sheet[0][7] == "weight"
    for fmt in ("sav", "dta"):
        path = tmp_path / f"cmo.{fmt}"
        path.write_bytes(client.get(f"/admin/surveys/cmo/export.{fmt}").data)
        frame, meta = read(path, fmt)
        got = [None if w != w else w for w in frame["weight"]]
        assert got == expected and LABEL in meta.column_names_to_labels["weight"]
    codebook = client.get("/admin/surveys/cmo/codebook.csv").text
    assert f"weight,Respondent weight, mean 1 (2012: {LABEL})" in codebook.replace('"', "")


def test_the_weighting_page_saves_checks_and_audits_targets(app, db):
    client = admin_client(app)
    page = client.get("/admin/surveys/cmo/weights")
    assert page.status_code == 200 and 'name="share-small"' in page.text
    token = csrf(page.text)
    form = {"csrf_token": token, "edition": "2012", "question": "company_size",
            "share-small": "40", "share-medium": "35", "share-large": "20"}  # fmt: skip
    refused = client.post("/admin/surveys/cmo/weights", data=form)
    assert refused.status_code == 400 and "add up to 95%, not 100%" in refused.text
    assert store_weights.targets(db, "cmo", 2012) == {}
    saved = client.post("/admin/surveys/cmo/weights", data=form | {"share-large": "25"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("#w-company_size")
    assert store_weights.targets(db, "cmo", 2012) == {
        "company_size": {"small": "0.4", "medium": "0.35", "large": "0.25"}}  # fmt: skip
    entry = audit.entries(db, 1, 0)[0]
    assert entry["action"] == "weights" and entry["details"]["field"] == "company_size"
    assert 'value="35"' in client.get("/admin/surveys/cmo/weights").text
    for bad in ({"question": "problems-communicate"}, {"edition": "1999"}, {"edition": "x"}):
        assert client.post("/admin/surveys/cmo/weights", data=form | bad).status_code == 400
    assert client.post("/admin/surveys/cmo/weights", data=form | {"csrf_token": ""}
                       ).status_code == 400  # fmt: skip
    removed = client.post("/admin/surveys/cmo/weights", data=form | {"action": "remove"})
    assert removed.status_code == 303 and store_weights.targets(db, "cmo", 2012) == {}
    assert audit.entries(db, 1, 0)[0]["details"]["targets"] is None


def test_an_export_with_weights_imports_back_without_them(weighted_app, tmp_path):
    from surveyapp import SHIPPED_SURVEYS, create_app
    from surveyapp.exchange.importer import import_file

    lines = admin_client(weighted_app).get("/admin/surveys/cmo/export.csv").get_data().splitlines()
    assert lines[0].startswith(
        b"response_id,submitted_at,edition,version,status,not_shown,language,weight,"
    )
    data = b"\n".join(lines[:-1])  # the last response lacks a required answer
    other = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE": str(tmp_path / "o.db"),
                        "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS)]}, init_db=True)  # fmt: skip
    db = store.thread_connection(other.config["DATABASE"])
    result = import_file(db, other.extensions["surveys"], "cmo", 2012, data, name="cmo.csv")
    assert result.ok and result.created == 50, result.errors
