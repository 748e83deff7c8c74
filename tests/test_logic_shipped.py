"""The shipped questionnaires' logic: cmo screens out organisations that do not manufacture
for clients (counted apart, in no base), client asks about capacity only those who outsource
a commercial product; the imported history, which never asked either, keeps its figures."""

from __future__ import annotations

import pytest

from surveyapp.exchange.importer import import_file
from surveyapp.figures import tallies
from surveyapp.figures.trends import trends
from tests.adminkit import admin_client
from tests.history import HISTORY, fixture_rows, history_app
from tests.walker import Respondent, client_answers, cmo_answers

pytestmark = pytest.mark.both_engines


@pytest.fixture
def app(make_app):
    return history_app(make_app)


def test_cmo_screens_out_those_who_do_not_manufacture_for_clients(app, db):
    walker = Respondent(app.test_client(), "cmo")
    walker.open(1)
    walker.post(1, {"manufactures_for_clients": "no", "company_size": "small"})
    assert "screened=1" in walker.last_location
    assert Respondent(app.test_client(), "cmo").complete(cmo_answers()).status_code == 302
    body = admin_client(app).get("/admin/surveys/cmo/tallies.json").json
    assert (body["responses"], body["screened_out"]) == (1, 1)
    screening = body["questions"]["manufactures_for_clients"]
    assert (screening["n"], screening["counts"]) == (1, {"yes": 1, "no": 0})
    assert body["questions"]["company_size"]["counts"]["small"] == 1  # the completed one only
    assert (
        db.execute("SELECT answers FROM responses WHERE status = 'screened_out'").fetchone()[0]
        == '{"manufactures_for_clients": "no", "~screened_out": true}'
    )


def test_the_screening_question_is_no_segment_filter(app):
    html = admin_client(app).get("/admin/surveys/cmo").text
    assert 'name="company_size"' in html and 'name="manufactures_for_clients"' not in html


def test_client_asks_about_capacity_only_those_who_outsource_a_commercial_product(app, db):
    pages = client_answers()
    pages[0]["outsources_commercial"] = "no"
    assert Respondent(app.test_client(), "client").complete(pages).status_code == 302
    assert Respondent(app.test_client(), "client").complete(client_answers()).status_code == 302
    admin = admin_client(app)
    body = admin.get("/admin/surveys/client/tallies.json").json
    capacity = body["questions"]["importance"]["items"]["capacity"]
    assert (capacity["n"], capacity["shown"], capacity["not_shown"]) == (1, 1, 1)
    page = admin.get("/admin/surveys/client").text
    assert "n = 1 shown and answered; 1 not shown" in page


def test_the_history_never_asked_the_screening_question_and_keeps_its_figures(app, db):
    catalog = app.extensions["surveys"]
    for edition, path in HISTORY.items():
        assert import_file(db, catalog, "cmo", edition, path).errors == []
    body = tallies.tallies(db, catalog["cmo"][2012])
    screening = body["questions"]["manufactures_for_clients"]
    rows = len(fixture_rows(2012))
    assert (screening["n"], screening["shown"], screening["not_shown"]) == (0, 0, rows)
    timeframes = body["questions"]["problems"]["items"]["timeframes"]
    assert (timeframes["n"], timeframes["not_shown"], body["screened_out"]) == (36, 0, 0)
    document = trends(db, catalog, "cmo")
    assert document["respondents"] == {"2010": 39, "2011": 50, "2012": 36}
    assert document["questions"]["problems"]["items"]["timeframes"]["2012"]["top2_ci95"] == [
        71.3, 93.9]  # fmt: skip
    assert tallies.verify_tallies(db, catalog) == []
