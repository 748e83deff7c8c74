"""The admin frame and its shared formats: times in the admin's zone with UTC on hover, one
number and share format, plurals; the side navigation; editions known only from imported
responses listed, filterable, reportable and exported with labels; the both-sides link."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from markupsafe import Markup

from surveyapp.exchange.importer import import_file
from surveyapp.web.formats import human_date, human_time, number, percent, plural, zone
from tests.adminkit import add, admin_client, cmo, csrf, login, make_admin
from tests.history import HISTORY, fixture_rows

pytestmark = pytest.mark.both_engines

BERLIN = zone("Europe/Berlin")


def test_times_show_in_the_zone_with_utc_in_the_title():
    winter = human_time("2026-12-01T13:08:49.555053Z", BERLIN)
    assert winter == Markup(
        '<time datetime="2026-12-01T13:08:49Z" title="2026-12-01 13:08:49 UTC">'
        "1 Dec 2026, 14:08 CET</time>"
    )
    summer = human_time("2026-07-01T22:30:00.000000Z", BERLIN, seconds=True)
    assert ">2 Jul 2026, 00:30:00 CEST</time>" in summer
    assert 'title="2026-07-01 22:30:00 UTC"' in summer
    assert human_time(datetime(2026, 1, 5, 9, 0, tzinfo=UTC), zone("UTC")).endswith(
        ">5 Jan 2026, 09:00 UTC</time>"
    )
    assert ">1 Dec 2026</time>" in human_date("2026-12-01T22:59:00Z", zone("UTC"))
    assert ">2 Dec 2026</time>" in human_date("2026-12-01T23:30:00Z", BERLIN)


def test_missing_or_odd_times_and_unknown_zones():
    assert human_time(None, BERLIN) == "–" and human_time("", BERLIN) == "–"
    assert human_time("anonymous <b>", BERLIN) == "anonymous &lt;b&gt;"  # escaped, as it is
    assert zone("Not/AZone") == zone("UTC") and zone("") == zone("UTC")


def test_one_number_and_share_format():
    assert number(1234567) == "1,234,567" and number(0) == "0" and number(None) == "–"
    assert number(1234.5678, 2) == "1,234.57"
    assert percent(71.43) == "71.4%" and percent(100) == "100.0%" and percent(None) == "–"
    assert percent(12345.6) == "12,345.6%"


def test_plurals():
    assert plural(1, "entry") == "1 entry" and plural(2, "entry") == "2 entries"
    assert plural(0, "response") == "0 responses" and plural(1024, "row") == "1,024 rows"
    assert plural(3, "person", "people") == "3 people"


def test_pages_use_the_admin_zone_and_no_stored_timestamps(make_app):
    app = make_app(ADMIN_TIMEZONE="America/New_York")
    client = admin_client(app)
    html = client.get("/admin/audit").text
    assert "1 entry, newest first" in html
    when = re.search(r'<time datetime="([^"]+)" title="([^"]+) UTC">([^<]+)</time>', html)
    assert when and when.group(3).endswith(("EST", "EDT"))
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}Z", html)  # no stored form, no microseconds
    for url in ("/admin/", "/admin/tokens", "/admin/users"):
        assert not re.search(r"\.\d{6}Z", client.get(url).text), url


def test_side_navigation_and_breadcrumbs(make_app):
    client = admin_client(make_app())
    html = client.get("/admin/surveys/cmo/trends").text
    nav = html[html.index('<nav class="side-nav"') : html.index("</nav>", html.index("side-nav"))]
    for label in ("Responses", "Trends", "Reports", "Invitations", "Settings", "Accounts",
                  "Audit log"):  # fmt: skip
        assert f">{label}</a>" in nav, label
    assert '<a href="/admin/surveys/cmo/trends" aria-current="page">Trends</a>' in nav
    assert '<a href="/admin/surveys/cmo/results">Results</a>' in nav
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', html, re.S).group(0)
    assert re.findall(r">([^<>]+)</(?:a|span)>", crumbs) == [
        "Dashboard", "Working with biopharmaceutical clients", "Trends"
    ]  # fmt: skip
    assert '<main id="main" class="admin"' in html


def test_a_page_is_in_the_navigation_only_while_its_endpoint_exists(make_app):
    app = make_app()
    link = '<a href="/admin/surveys/cmo/results">Results</a>'
    assert link in admin_client(app).get("/admin/surveys/cmo").text
    del app.view_functions["admin.results"]  # as in an app without a results page
    assert link not in admin_client(app).get("/admin/surveys/cmo").text


@pytest.fixture
def orphans(make_app):
    """The shipped questionnaires (cmo and client, edition 2012 only) with cmo's 2010 and
    2011 history imported: no definition file names those editions."""
    app = make_app()
    from surveyapp import store

    db = store.thread_connection(app.config["DATABASE"])
    for edition in (2010, 2011):
        assert import_file(db, app.extensions["surveys"], "cmo", edition, HISTORY[edition]).ok
    return app


def test_orphan_editions_are_listed_and_labelled(orphans):
    client = admin_client(orphans)
    version = orphans.extensions["surveys"]["cmo"][2012].version
    dashboard = client.get("/admin/").text
    assert "<td>2010, 2011, 2012</td>" in dashboard
    assert "Report 2011" in dashboard
    page = client.get("/admin/surveys/cmo").text
    row = re.search(r'<tr data-edition="2011">.*?</tr>', page, re.S).group(0)
    assert "imported" in row and ">50</td>" in row and version in row
    assert "Close 2011" not in row and "Open 2011" not in row  # nothing to serve
    assert '<option value="2011"' in page


def test_orphan_edition_pages_answer(orphans):
    client = admin_client(orphans)
    page = client.get("/admin/surveys/cmo?edition=2011")
    assert page.status_code == 200
    assert '<span data-figure="responses">50</span>' in page.text
    assert "known from imported responses only" in page.text
    assert client.get("/admin/surveys/cmo/tallies.json?edition=2011").json["responses"] == 50
    report = client.get("/admin/report/2011")
    assert report.status_code == 200
    assert 'data-respondents="cmo">50<' in report.text
    assert "/admin/compare/2011" not in report.text  # no client 2011: no both sides
    assert client.get("/admin/report/2009").status_code == 404


def test_labelled_export_labels_orphan_rows(orphans):
    client = admin_client(orphans)
    text = client.get("/admin/surveys/cmo/export.csv?labels=1&edition=2011").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 50
    expected = {"north_america": "North America", "europe": "Europe", "asia": "Asia",
                "other": "Other"}  # fmt: skip
    assert sorted(r["region"] for r in rows) == sorted(
        expected[r["region"]] for r in fixture_rows(2011)
    )
    everything = list(csv.DictReader(io.StringIO(
        client.get("/admin/surveys/cmo/export.csv?labels=1").text)))  # fmt: skip
    assert len(everything) == 39 + 50
    assert not {r["region"] for r in everything} & set(expected)  # no code left among labels


def test_both_sides_link_only_with_a_mirrored_pair(orphans):
    client = admin_client(orphans)
    add(orphans, "cmo", cmo())
    with_pair = client.get("/admin/report/2012").text
    assert 'href="#both-sides"' in with_pair and 'id="both-sides"' in with_pair
    assert client.get("/admin/compare/2012").status_code == 200
    without = client.get("/admin/report/2010").text
    assert "both-sides" not in without and "/admin/compare/2010" not in without
    assert client.get("/admin/compare/2010").status_code == 404


def _upload(client, data: bytes, name: str):
    token = csrf(client.get("/admin/surveys/cmo/import").text)
    form = {"csrf_token": token, "edition": "2011", "format": "",
            "file": (io.BytesIO(data), name)}  # fmt: skip
    return client.post("/admin/surveys/cmo/import", data=form, content_type="multipart/form-data")


def test_import_success_and_failure_look_and_read_different(make_app):
    client = admin_client(make_app())
    done = _upload(client, HISTORY[2011].read_bytes(), "cmo-2011.jsonl")
    ok = re.search(r'<div class="msg msg-(\w+)" role="(\w+)" data-import="ok">.*?</div>\s*</div>',
                   done.text, re.S)  # fmt: skip
    assert ok and ok.group(1, 2) == ("success", "status") and "Done:" in ok.group(0)
    assert "Imported 50 rows into edition 2011" in ok.group(0)
    bad = _upload(client, b"response_id,colour\nx,blue\n", "bad.csv")
    assert bad.status_code == 422
    failed = re.search(r'<div class="msg msg-(\w+)" role="(\w+)" data-import="failed">.*?</ul>',
                       bad.text, re.S)  # fmt: skip
    assert failed and failed.group(1, 2) == ("error", "alert") and "Problem:" in failed.group(0)
    assert "msg-success" not in bad.text


def test_a_viewer_is_shown_only_the_pages_it_may_open(make_app):
    app = make_app()
    make_admin(app, "vera", role="viewer")
    viewer = app.test_client()
    login(viewer, "vera")
    html = viewer.get("/admin/surveys/cmo").text
    nav = html[html.index('<nav class="side-nav"') : html.index("</nav>", html.index("side-nav"))]
    assert ">Trends</a>" in nav and ">API tokens</a>" in nav
    for hidden in ("Responses", "Reports", "Invitations", "Settings", "Accounts", "Audit log"):
        assert f">{hidden}</a>" not in nav, hidden
