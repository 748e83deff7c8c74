"""The reconstruction attack of issue 11 (item 1), played as a viewer: walk time windows
back, difference overlapping windows, combine time and segment filters, difference
segments, and poll the live figures while responses arrive one by one. It counts the
responses whose choice answers it rebuilt (from one view, or the difference of two) and
the views resting on 1 to 4 respondents: both must be 0. Admins keep exact figures."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest

from surveyapp import store
from surveyapp.store.timestamps import TIME_FORMAT
from tests.adminkit import CMO_ITEMS, add, cmo, login, make_admin
from tests.history import history_app

pytestmark = pytest.mark.both_engines

SIZES = ["small", "medium", "large"]
REGIONS = ["north_america", "europe", "asia", "other"]
SCALE = ["very_common", "somewhat_common", "rare", "not_a_problem"]
MICROSECOND = timedelta(microseconds=1)


def answers_of(n: int) -> dict:
    """Response n: its own mix of profile answers and ratings."""
    ratings = {item: SCALE[(n + i * (n % 3 + 1)) % 4] for i, item in enumerate(CMO_ITEMS)}
    return cmo(SIZES[n % 3], REGIONS[n % 4], ratings)


def at(moment: datetime) -> str:
    return moment.strftime(TIME_FORMAT)


@pytest.fixture
def app(make_app):
    app = history_app(make_app)
    make_admin(app, "ada", role="admin")
    make_admin(app, "vic", role="viewer")
    return app


def signed_in(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


class Attacker:
    """A client that keeps every figure document it manages to read."""

    def __init__(self, client, edition: int):
        self.client, self.edition, self.docs, self.requests = client, edition, [], 0

    def read(self, path: str, **query) -> dict | None:
        self.requests += 1
        response = self.client.get(path, query_string=query)
        if response.status_code != 200:
            assert response.status_code == 403, (path, query, response.status_code)
            return None
        doc = response.get_json()
        self.docs.append(doc)
        return doc

    def tallies(self, **query) -> dict | None:
        return self.read("/admin/surveys/cmo/tallies.json", edition=self.edition, **query)

    def walk_time_windows_back(self) -> None:
        """The issue's walk: `latest` names the newest time; a 1 µs window there holds one
        response; step below it and repeat."""
        doc = self.tallies()
        until = None
        for _ in range(15):
            latest = (doc or {}).get("latest")
            if not latest:
                return
            moment = datetime.fromisoformat(latest.replace("Z", "+00:00"))
            if len(latest) == 10:  # a day only: try the whole day
                moment = moment.replace(tzinfo=UTC)
            self.tallies(since=at(moment), until=at(moment + MICROSECOND))
            until = at(moment)
            doc = self.tallies(until=until)

    def difference_overlapping_windows(self, start: datetime) -> None:
        for day in range(12):
            self.tallies(since=at(start + timedelta(days=day)))
            self.tallies(until=at(start + timedelta(days=day, hours=12)))

    def combine_time_and_segments(self, start: datetime) -> None:
        for size in SIZES:
            self.tallies(company_size=size)
            self.tallies(company_size=[c for c in SIZES if c != size])
            self.tallies(company_size=size, since=at(start + timedelta(days=5)))
            for region in REGIONS:
                self.tallies(company_size=size, region=region)
        for region in REGIONS:
            self.read("/admin/surveys/cmo/trends.json", region=region)


def vector(doc: dict) -> dict[tuple, int]:
    """A tallies document as numbers: responses and, per unsuppressed cell, n and counts."""
    numbers = {("responses",): doc["responses"]}
    for qid, question in doc["questions"].items():
        cells = question.get("items", {qid: question})
        for item, cell in cells.items():
            if cell.get("suppressed"):
                continue
            numbers[item, "n"] = cell["n"]
            numbers.update({(item, code): count for code, count in cell["counts"].items()})
    return numbers


def difference(a: dict, b: dict) -> dict[tuple, int]:
    return {key: a[key] - b[key] for key in a.keys() & b.keys()}


def rebuilt(view: dict[tuple, int], response: dict) -> bool:
    """Whether a one-response view shows exactly this response's choice answers."""
    if view.get(("responses",)) != 1:
        return False
    shown = {key for key in view if key != ("responses",) and key[1] != "n"}
    picked = {key for key in shown if view[key] == 1}
    answered = {(field.removeprefix("problems-"), code) for field, code in response.items()}
    return bool(picked) and picked == {key for key in answered if key in shown}


def analyse(docs: list[dict], responses: list[dict]) -> tuple[int, int]:
    """(responses rebuilt, views resting on 1 to 4 respondents) over every document read
    and every difference of two documents of the same edition."""
    tallies = [vector(d) for d in docs if "questions" in d and "edition" in d]
    views = tallies + [difference(a, b) for a, b in combinations(tallies, 2)]
    views += [difference(b, a) for a, b in combinations(tallies, 2)]
    small = sum(1 for v in views if 0 < abs(v.get(("responses",), 0)) < 5)
    for doc in docs:
        if "respondents" in doc:
            small += sum(1 for n in doc["respondents"].values() if 0 < n < 5)
    found = sum(any(rebuilt(v, r) for v in views) for r in responses)
    return found, small


def audit_rows(app) -> list[dict]:
    db = store.thread_connection(app.config["DATABASE"])
    rows = db.query("SELECT actor, details FROM audit WHERE action = 'filtered_read'")
    return [{"actor": r["actor"], **json.loads(r["details"])} for r in rows]


def test_a_viewer_rebuilds_no_response(app):
    edition = max(app.extensions["surveys"]["cmo"])
    start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(20)
    viewer = Attacker(signed_in(app, "vic"), edition)
    responses, etags = [], set()
    poll = viewer.client.get("/admin/surveys/cmo", query_string={"partial": 1})
    for n in range(10):  # responses arrive one by one; the viewer polls between them
        responses.append(answers_of(n))
        moment = start + timedelta(days=n, hours=n)
        add(app, "cmo", responses[-1], submitted_at=at(moment))
        viewer.tallies()
        viewer.read("/admin/surveys/cmo/trends.json")
        poll = viewer.client.get("/admin/surveys/cmo", query_string={"partial": 1},
                                 headers={"If-None-Match": poll.headers["ETag"]})  # fmt: skip
        etags.add(poll.headers.get("ETag"))
    polls = []
    for n in (10, 11):  # two more today: withheld until tomorrow, and the ETag says nothing
        responses.append(answers_of(n))
        add(app, "cmo", responses[-1])
        viewer.tallies()
        polls.append(viewer.client.get("/admin/surveys/cmo", query_string={"partial": 1},
                     headers={"If-None-Match": poll.headers["ETag"]}).status_code)  # fmt: skip
    viewer.walk_time_windows_back()
    viewer.difference_overlapping_windows(start)
    viewer.combine_time_and_segments(start)
    found, small = analyse(viewer.docs, responses)
    assert (found, small) == (0, 0), f"{found} responses rebuilt in {viewer.requests} reads"
    assert polls == [304, 304]
    assert len(etags) == 3  # the figures changed twice, at 5 and at 10 responses
    shown = viewer.tallies()
    assert shown["responses"] == 10 and len(shown["latest"]) == 10
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    exact = Attacker(signed_in(app, "ada"), edition).tallies(until=at(midnight))
    assert shown["questions"] == exact["questions"]  # the released ten, counted exactly
    dashboard = viewer.client.get("/admin/", query_string={"partial": 1}).text
    assert 'data-figure="last_24h">–<' in dashboard and 'data-figure="responses">10<' in dashboard
    assert audit_rows(app), "the viewer's filtered reads (by edition) are audited"
    assert {row["role"] for row in audit_rows(app) if row["actor"] == "vic"} == {"viewer"}


def test_the_same_attack_as_an_admin_sees_exact_figures(app):
    edition = max(app.extensions["surveys"]["cmo"])
    start = datetime.now(UTC) - timedelta(days=20)
    responses = []
    for n in range(10):
        responses.append(answers_of(n))
        add(app, "cmo", responses[-1], submitted_at=at(start + timedelta(days=n)))
    add(app, "cmo", answers_of(10))
    admin = Attacker(signed_in(app, "ada"), edition)
    admin.walk_time_windows_back()
    found, _small = analyse(admin.docs, responses + [answers_of(10)])
    assert found == 11  # admins may read raw responses: their filtered figures are exact
    whole = admin.tallies()
    assert whole["responses"] == 11 and len(whole["latest"]) == len(at(start))
    small = admin.tallies(company_size="small")
    assert small["responses"] == sum(r["company_size"] == "small" for r in responses)
    dashboard = admin.client.get("/admin/", query_string={"partial": 1}).text
    assert 'data-figure="last_24h">1<' in dashboard
    entries = audit_rows(app)
    assert any(e["actor"] == "ada" and e["role"] == "admin" and "until" in e for e in entries)


def test_viewers_are_told_why_filters_are_refused(app):
    viewer = signed_in(app, "vic")
    page = viewer.get("/admin/surveys/cmo", query_string={"since": "2026-01-01"})
    assert page.status_code == 403 and "Viewers see whole editions only" in page.text
    data = viewer.get("/admin/surveys/cmo/trends.json", query_string={"region": "asia"})
    assert data.status_code == 403 and "admin role" in data.get_json()["error"]
    page = viewer.get("/admin/surveys/cmo").text
    assert 'name="since"' not in page and 'name="company_size"' not in page
    assert "released in groups of 5" in page


def test_released_sets_only_grow_by_whole_blocks(app):
    from surveyapp.store.released import released

    edition = max(app.extensions["surveys"]["cmo"])
    db = store.thread_connection(app.config["DATABASE"])
    now = datetime.now(UTC)
    today = at(now.replace(hour=0, minute=0, second=0, microsecond=0))
    tomorrow = at(now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1))
    past = [at(now - timedelta(days=d)) for d in range(1, 30)]
    for n in range(3):
        add(app, "cmo", answers_of(n), submitted_at=past[n])
    add(app, "cmo", answers_of(3))  # today: it holds back every row stored after it
    for n in range(4, 8):
        add(app, "cmo", answers_of(n), submitted_at=past[n])
    ids = [row[0] for row in db.execute("SELECT id FROM responses ORDER BY id")]
    assert released(db, "cmo", edition, today, 5).count == 0  # 3 ready, fewer than a block
    seen = released(db, "cmo", edition, tomorrow, 5)
    assert (seen.count, seen.cut, seen.total) == (5, ids[4], 8)
    # An import of past responses joins at the end: the first block stays the same five.
    for n in range(8, 10):
        add(app, "cmo", answers_of(n), submitted_at=past[10 + n])
    later = released(db, "cmo", edition, tomorrow, 5)
    assert (later.count, later.total) == (10, 10) and later.cut == max(ids) + 2
    assert later.cut > seen.cut  # the earlier set (rows up to its cut) lies inside


def test_viewer_pages_show_released_counts_only(app):
    edition = max(app.extensions["surveys"]["cmo"])
    for n in range(7):
        add(app, "cmo", answers_of(n), submitted_at=at(datetime.now(UTC) - timedelta(days=2)))
    add(app, "cmo", answers_of(7), edition=2011, submitted_at="2011-05-01T10:00:00.000000Z")
    viewer, admin = signed_in(app, "vic"), signed_in(app, "ada")
    page = viewer.get("/admin/surveys/cmo").text
    assert edition_count(page, edition) == 5 and edition_count(page, 2011) == 0
    assert edition_count(admin.get("/admin/surveys/cmo").text, edition) == 7
    trends = viewer.get("/admin/surveys/cmo/trends.json").get_json()
    assert trends["respondents"][str(edition)] == 5 and trends["respondents"]["2011"] == 0
    compare = viewer.get(f"/admin/compare/{edition}").text
    assert "5 respondents (cmo)" in compare and "0 respondents (client)" in compare
    assert "7 respondents (cmo)" in admin.get(f"/admin/compare/{edition}").text


def edition_count(page: str, edition: int) -> int:
    """The response count in the editions table's row of one edition."""
    row = re.search(rf'data-edition="{edition}">.*?<td class="num">(\d+)</td>', page)
    return int(row.group(1))


# A trigger that makes every audit entry fail, as a full disk would.
REFUSE_AUDIT = {
    "sqlite": "CREATE TRIGGER full BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'full'); END",
    "postgresql": "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " RAISE EXCEPTION 'full'; END $$; CREATE TRIGGER full_audit BEFORE INSERT ON audit"
    " FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
}


def test_filtered_reads_are_audited_once_per_view_and_never_block_reading(app, engine):
    edition = max(app.extensions["surveys"]["cmo"])
    admin = Attacker(signed_in(app, "ada"), edition)
    admin.tallies()
    admin.tallies()
    admin.tallies(company_size="small")
    admin.read("/admin/surveys/cmo/trends.json", region="asia")
    admin.read("/admin/surveys/cmo/trends.json")  # unfiltered: not a filtered read
    entries = audit_rows(app)
    assert [(e["endpoint"], e.get("edition"), e["segment"]) for e in entries] == [
        ("admin.tallies_json", str(edition), {}),
        ("admin.tallies_json", str(edition), {"company_size": "small"}),
        ("admin.trends_json", None, {"region": "asia"}),
    ]  # fmt: skip
    db = store.thread_connection(app.config["DATABASE"])
    db.executescript(REFUSE_AUDIT[engine])
    assert admin.tallies(company_size="large")["responses"] == 0
    assert len(audit_rows(app)) == 3
