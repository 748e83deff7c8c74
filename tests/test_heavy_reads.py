"""Heavy admin reads are bounded: a time budget per read (store.read_budget) and a cap on
how many run at once per worker process; both answer 503 and keep the server usable. They
run on threads of lower OS priority than respondents' requests."""

from __future__ import annotations

import os
import threading

import pytest

from surveyapp import store
from surveyapp.figures import trends as trend_figures
from surveyapp.web.admin.heavy import BUSY, TOO_HEAVY
from tests.adminkit import admin_client, cmo, login

# Far more than PROGRESS_STEPS virtual-machine steps: takes seconds when not stopped.
LONG_READ = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000000)"
    " SELECT count(*) FROM n"
)
TRENDS = "/admin/surveys/cmo/trends.json"
SEGMENT_TRENDS = TRENDS + "?company_size=small"


@pytest.fixture
def conn(tmp_path):
    db = store.connect(tmp_path / "budget.db", create=True)
    db.execute("CREATE TABLE t (x INTEGER)")
    yield db
    db.close()


def test_a_read_over_its_budget_is_stopped_and_the_connection_stays_usable(conn):
    stopped = pytest.raises(store.ReadBudgetExceeded, match="read stopped after 0 s")
    with stopped, store.read_budget(conn, 0):
        conn.execute(LONG_READ).fetchone()
    # the progress handler is gone: a read of ~1M steps now runs to its end
    medium = LONG_READ.replace("20000000", "100000")
    assert conn.execute(medium).fetchone() == (100000,)
    with store.immediate(conn):
        conn.execute("INSERT INTO t VALUES (1)")
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
    assert not conn.conn.in_transaction


def test_a_write_transaction_is_never_stopped_by_the_budget(conn):
    with store.read_budget(conn, 0), store.immediate(conn):
        conn.execute(
            "INSERT INTO t WITH RECURSIVE n(x) AS"
            " (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000) SELECT x FROM n"
        )
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (200000,)


def test_other_database_errors_pass_through_unchanged(conn):
    with pytest.raises(store.OperationalError, match="no such table"), store.read_budget(conn, 60):
        conn.execute("SELECT * FROM missing")


def fill(app, count: int) -> None:
    definition = app.extensions["surveys"]["cmo"][2012]
    from surveyapp.questionnaire.answers import counted_fields

    counted = counted_fields(definition)
    rows = [{"survey": "cmo", "edition": 2012, "version": definition.version,
             "answers": cmo(size=("small", "large")[n % 2]), "counted": counted}
            for n in range(count)]  # fmt: skip
    store.insert_many(store.thread_connection(app.config["DATABASE"]), rows)


def test_a_view_over_its_time_budget_answers_503_and_the_next_view_is_served(make_app):
    app = make_app(ADMIN_READ_SECONDS=0)
    client = admin_client(app)
    fill(app, 3000)
    refused = client.get(SEGMENT_TRENDS)
    assert refused.status_code == 503
    assert TOO_HEAVY in refused.text
    # same connection: unfiltered tallies and trends come from the counters
    answered = client.get("/admin/surveys/cmo/tallies.json")
    assert answered.status_code == 200
    assert answered.json["responses"] == 3000
    assert client.get(TRENDS).json["respondents"]["2012"] == 3000


def test_only_reads_that_count_answers_again_are_heavy(make_app):
    app = make_app(HEAVY_READS_PER_WORKER=0)
    client = admin_client(app)
    fill(app, 10)
    light = ["/admin/surveys/cmo", "/admin/surveys/cmo/tallies.json?edition=2012", TRENDS,
             "/admin/surveys/cmo/trends", "/admin/compare/2012"]  # fmt: skip
    for url in light:
        assert (url, client.get(url).status_code) == (url, 200)
    heavy = ["/admin/surveys/cmo?company_size=small", "/admin/surveys/cmo?since=2000-01-01",
             "/admin/surveys/cmo/tallies.json?region=europe", SEGMENT_TRENDS,
             "/admin/surveys/cmo/trends?region=europe", "/admin/report/2012"]  # fmt: skip
    for url in heavy:
        response = client.get(url)
        assert (url, response.status_code) == (url, 503)
        assert BUSY in response.text


def test_a_heavy_read_over_the_cap_is_refused_at_once_while_one_runs(make_app, monkeypatch):
    app = make_app(HEAVY_READS_PER_WORKER=1)
    first = admin_client(app)
    second = app.test_client()
    login(second)
    inside, release = threading.Event(), threading.Event()
    real, calls = trend_figures.trends, []

    def held(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # the first heavy read holds its slot until released
            inside.set()
            release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(trend_figures, "trends", held)
    answers = {}

    def run_first() -> None:
        answers["first"] = first.get(SEGMENT_TRENDS)
        store.close_thread_connections()

    thread = threading.Thread(target=run_first)
    thread.start()
    assert inside.wait(30)
    refused = second.get(SEGMENT_TRENDS)
    unfiltered = second.get(TRENDS)
    release.set()
    thread.join(30)
    assert refused.status_code == 503
    assert BUSY in refused.text
    assert unfiltered.status_code == 200  # read from the counters, so never refused
    assert answers["first"].status_code == 200
    assert second.get(SEGMENT_TRENDS).status_code == 200  # the slot was given back


def nice(thread: int = 0) -> int:
    return os.getpriority(os.PRIO_PROCESS, thread)


def test_heavy_reads_run_on_a_lower_priority_thread_and_the_request_thread_keeps_its_own(
    make_app, monkeypatch
):
    app = make_app(HEAVY_READS_NICE=3)
    client = admin_client(app)
    fill(app, 20)
    real, seen = trend_figures.trends, []

    def watched(*args, **kwargs):
        seen.append((threading.get_native_id(), nice(threading.get_native_id())))
        return real(*args, **kwargs)

    monkeypatch.setattr(trend_figures, "trends", watched)
    before = nice(threading.get_native_id())
    assert client.get(TRENDS).status_code == 200  # not heavy: right here
    segment = client.get(SEGMENT_TRENDS)
    assert segment.status_code == 200
    assert segment.json["respondents"]["2012"] == 10  # the request's own arguments and context
    assert client.get(SEGMENT_TRENDS).status_code == 200  # the same low-priority thread again
    here = threading.get_native_id()
    assert seen[0] == (here, before)
    assert seen[1][0] != here and seen[1][1] == min(19, nice() + 3)
    assert seen[2] == seen[1]
    assert nice(here) == before


def test_errors_of_a_heavy_read_reach_the_client_as_before(make_app):
    app = make_app(ADMIN_READ_SECONDS=60)
    client = admin_client(app)
    fill(app, 20)
    report = client.get("/admin/report/2012")  # rendered on the heavy-read thread
    assert report.status_code == 200 and "ada" in report.text
    assert client.get("/admin/report/1999").status_code == 404  # abort() on that thread
