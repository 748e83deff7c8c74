"""Trends mark an item whose wording or scale changed between editions instead of
silently joining them (trends.json "breaks", the trends page's note)."""

from __future__ import annotations

import pytest

from surveyapp import SHIPPED_SURVEYS, store
from surveyapp.exchange.importer import import_file
from surveyapp.figures.trends import breaks, trends
from surveyapp.questionnaire.loader import parse_definition
from surveyapp.store import definitions
from tests.adminkit import admin_client
from tests.conftest import TEST_QUESTIONNAIRES
from tests.history import HISTORY, history_app

pytestmark = pytest.mark.both_engines

CMO = (SHIPPED_SURVEYS / "cmo.yaml").read_text(encoding="utf-8")
OLD_LABEL = "Clients don't build in sufficient time for the project (unrealistic timeframes)"
MATRIX = (TEST_QUESTIONNAIRES / "rating_matrix.yaml").read_text(encoding="utf-8")


def _editions(*texts: str) -> dict:
    found = [parse_definition(text, f"{n}.yaml") for n, text in enumerate(texts)]
    return {d.edition: d for d in found}


def test_wording_and_scale_changes_are_breaks_per_item():
    later = MATRIX.replace("edition: 2020", "edition: 2021")
    reworded = later.replace("Do you agree?", "Do you still agree?")
    assert breaks(_editions(MATRIX, later)) == {}
    assert breaks(_editions(MATRIX, reworded)) == {"views": {
        item: [{"edition": 2021, "what": "wording changed",
                "detail": "'Do you agree?' → 'Do you still agree?'"}] for item in ("one", "two")
    }}  # fmt: skip
    rescaled = later.replace("label: Agree", "label: Fully agree")
    assert breaks(_editions(MATRIX, rescaled))["views"]["two"] == [
        {"edition": 2021, "what": "scale changed", "detail": "labels changed"}
    ]
    item = later.replace("Statement two", "Statement 2")
    assert breaks(_editions(MATRIX, item)) == {"views": {"two": [
        {"edition": 2021, "what": "wording changed", "detail": "'Statement two' → 'Statement 2'"}
    ]}}  # fmt: skip


def test_a_reworded_item_is_marked_in_trends_json_and_page(make_app):
    app = history_app(make_app)
    db = store.thread_connection(app.config["DATABASE"])
    definitions.publish(db, CMO.replace(OLD_LABEL, "Clients leave too little time"), "c", "ann")
    catalog = app.extensions["live_catalog"].current(db)
    for edition, path in HISTORY.items():
        assert import_file(db, catalog, "cmo", edition, path).ok
    document = trends(db, catalog, "cmo")
    problems = document["questions"]["problems"]
    [mark] = problems["breaks"]["timeframes"]
    assert list(problems["breaks"]) == ["timeframes"]
    assert (mark["edition"], mark["what"]) == (2012, "wording changed")
    assert mark["detail"] == (
        '"Clients don\'t build in sufficient time for the project (unr…"'
        " → 'Clients leave too little time'"
    )
    assert set(problems["items"]["timeframes"]) == {"2010", "2011", "2012"}
    page = admin_client(app).get("/admin/surveys/cmo/trends").text
    assert page.count('class="trend-break"') == 1
    assert (
        '<p class="trend-break" data-break="2012"><strong>Wording changed in 2012</strong>' in page
    )
    assert "breaks" not in trends(db, catalog, "client")["questions"]["importance"]
