"""Admin figure views served apart (surveyapp.web.apart): a worker hands each figure GET
to a process of lower priority running its own copy of the app, and gets the finished
response back; everything else stays in the worker."""

from __future__ import annotations

import os

import pytest
from werkzeug.test import EnvironBuilder

from surveyapp import create_app, store
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.web import apart
from surveyapp.web.admin.heavy import TOO_HEAVY
from tests.adminkit import add, admin_client, cmo, login, make_admin

SEGMENT_TRENDS = "/admin/surveys/cmo/trends.json?company_size=small"
FIGURES = [
    "/admin/surveys/cmo/tallies.json",
    "/admin/surveys/cmo/tallies.json?region=europe",
    "/admin/surveys/cmo/trends.json",
    SEGMENT_TRENDS,
]


def fill(app, count: int) -> None:
    definition = app.extensions["surveys"]["cmo"][2012]
    rows = [{"survey": "cmo", "edition": 2012, "version": definition.version,
             "answers": cmo(size=("small", "large")[n % 2]),
             "counted": counted_fields(definition)} for n in range(count)]  # fmt: skip
    store.insert_many(store.thread_connection(app.config["DATABASE"]), rows)


@pytest.fixture
def served(make_app):
    """A factory: an app with its figure views served apart, and the middleware."""
    made = []

    def build(**config):
        app = make_app(**{"ADMIN_VIEWS_NICE": 0} | config)  # not starved on a busy machine
        made.append(apart.install(app, create_app))
        return app, made[-1]

    yield build
    for middleware in made:
        if middleware is not None:
            middleware.close()


def test_figure_views_answer_from_a_lower_priority_process_as_the_worker_would(make_app):
    app = make_app(ADMIN_VIEWS_NICE=3)
    client = admin_client(app)
    fill(app, 12)
    here = [client.get(url) for url in FIGURES]
    middleware = apart.install(app, create_app)
    try:
        there = [client.get(url) for url in FIGURES]
        pids = middleware.pids()
        assert middleware.served == len(FIGURES)
        assert pids and os.getpid() not in pids
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in pids} == {min(19, ours + 3)}
    finally:
        middleware.close()
    for url, mine, theirs in zip(FIGURES, here, there, strict=True):
        assert (url, theirs.status_code, theirs.json) == (url, 200, mine.json)
        assert theirs.headers["Cache-Control"] == "no-store"
    assert there[3].json["respondents"]["2012"] == 6  # the segment counted there


def test_pages_render_there_with_what_was_stored_since(served):
    app, middleware = served()
    client = admin_client(app)
    add(app, "cmo", cmo(comments="Late hand-off, twice"))
    report = client.get("/admin/report/2012")
    assert report.status_code == 200 and "Late hand-off, twice" in report.text
    add(app, "cmo", cmo(comments="Quote came in a day late"))
    again = client.get("/admin/report/2012")
    assert "Quote came in a day late" in again.text
    assert client.get("/admin/surveys/cmo/trends").status_code == 200
    assert middleware.served == 3


def test_other_requests_stay_in_the_worker(served):
    app, middleware = served()
    client = admin_client(app)
    assert client.get("/admin/").status_code == 200
    assert client.get("/s/cmo").status_code == 200
    assert client.get("/admin/surveys/cmo/export.csv").status_code == 200
    assert client.post("/admin/surveys/cmo/trends.json").status_code == 405
    assert client.get("/admin/no-such-page").status_code == 404
    assert middleware.served == 0
    assert middleware.pids() == []  # none started


def test_log_in_and_roles_are_enforced_by_the_process_apart(served):
    app, middleware = served()
    anonymous = app.test_client()
    refused = anonymous.get("/admin/surveys/cmo/trends")
    assert refused.status_code == 302 and "/admin/login" in refused.headers["Location"]
    assert anonymous.get("/admin/surveys/cmo/trends.json").status_code == 401
    make_admin(app, "vic", role="viewer")
    viewer = app.test_client()
    assert login(viewer, "vic").status_code == 302
    assert viewer.get("/admin/report/2012").status_code == 403  # the report is admin-only
    assert viewer.get("/admin/surveys/cmo/trends").status_code == 200
    assert middleware.served == 2  # the anonymous requests were answered by the worker


def take(lane) -> int:
    taken = 0
    while lane.admitted.acquire(blocking=False):
        taken += 1
    return taken


def test_over_the_admitted_requests_a_figure_view_answers_503_at_once(served):
    app, middleware = served(ADMIN_VIEWS_APART=1)
    client = admin_client(app)
    filtered = take(middleware.lanes["filtered"])  # one running, one waiting
    refused = client.get("/admin/surveys/cmo/trends.json?region=europe")
    unfiltered = client.get("/admin/surveys/cmo/trends.json")  # its own lane: served
    plain = take(middleware.lanes["plain"])
    refused_plain = client.get("/admin/surveys/cmo/trends.json")
    for lane, taken in (("filtered", filtered), ("plain", plain)):
        for _ in range(taken):
            middleware.lanes[lane].admitted.release()
    assert (filtered, plain) == (2, 2)
    assert unfiltered.status_code == 200
    for response in (refused, refused_plain):
        assert response.status_code == 503
        assert apart.BUSY in response.text
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Retry-After"] == "5"
    assert client.get("/s/cmo").status_code == 200  # respondents are never refused for it
    assert client.get("/admin/surveys/cmo/trends.json?region=europe").status_code == 200


def test_anonymous_requests_take_no_place_in_a_lane(served):
    app, middleware = served(ADMIN_VIEWS_APART=1)
    taken = {name: take(lane) for name, lane in middleware.lanes.items()}  # every lane full
    anonymous = app.test_client()
    anonymous.set_cookie("session", "forged.value.here")
    page = anonymous.get("/admin/surveys/cmo/trends")
    data = anonymous.get("/admin/surveys/cmo/trends.json?region=europe")
    for name, count in taken.items():
        for _ in range(count):
            middleware.lanes[name].admitted.release()
    assert page.status_code == 302 and "/admin/login" in page.headers["Location"]
    assert data.status_code == 401
    assert middleware.served == 0


def test_views_with_filters_go_to_their_own_lane(served):
    app, middleware = served()
    plain, filtered = middleware.lanes["plain"], middleware.lanes["filtered"]
    cases = {
        "/admin/surveys/cmo": plain, "/admin/surveys/cmo?edition=2012&partial=1": plain,
        "/admin/surveys/cmo/trends": plain, "/admin/compare/2012": plain,
        "/admin/surveys/cmo?company_size=small": filtered,
        "/admin/surveys/cmo/tallies.json?since=2026-01-01": filtered,
        "/admin/report/2012": filtered, "/admin/surveys/cmo/crosstab": filtered,
        "/admin/": None, "/s/cmo": None,
    }  # fmt: skip
    signed = {"Cookie": f"session={admin_client(app).get_cookie('session').value}"}
    for url, lane in cases.items():
        environ = EnvironBuilder(url, headers=signed).get_environ()
        assert (url, middleware.lane(environ)) == (url, lane)
    posted = EnvironBuilder("/admin/surveys/cmo/trends", method="POST", headers=signed)
    assert middleware.lane(posted.get_environ()) is None


def test_a_heavy_read_runs_in_the_process_apart_within_the_budget(served):
    app, middleware = served(ADMIN_READ_SECONDS=0)
    client = admin_client(app)
    fill(app, 3000)
    refused = client.get(SEGMENT_TRENDS)
    assert refused.status_code == 503
    assert TOO_HEAVY in refused.text
    assert client.get("/admin/surveys/cmo/trends.json").json["respondents"]["2012"] == 3000
    assert len(middleware.pids()) == 2  # one per lane: none of its own for the read
    assert middleware.served == 2


def test_every_figure_endpoint_is_a_route_and_the_server_serves_them_apart(make_app):
    app = make_app()
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints >= apart.FIGURE_ENDPOINTS
    from surveyapp import gunicorn_conf

    assert gunicorn_conf.wsgi_app.startswith("surveyapp:create_server_app()")
    assert apart.install(make_app(ADMIN_VIEWS_APART=0), create_app) is None


def unreachable(_settings: dict):
    """A process apart's app factory while the database is out of reach."""
    raise store.OperationalError("PostgreSQL is unreachable: the server is restarting")


def test_a_process_apart_that_cannot_reach_the_database_answers_503_to_try_again(served):
    app, middleware = served()
    client = admin_client(app)
    middleware.factory = unreachable
    refused = client.get("/admin/surveys/cmo/tallies.json")
    middleware.factory = create_app
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
    assert client.get("/admin/surveys/cmo/tallies.json").status_code == 200
