"""Heavy admin reads are bounded: a time budget per read (store.read_budget) and a cap on
how many run at once per worker process; both answer 503 and keep the server usable."""

from __future__ import annotations

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
    refused = client.get(TRENDS)
    assert refused.status_code == 503
    assert TOO_HEAVY in refused.text
    # same thread, same connection: unfiltered tallies come from the counters
    answered = client.get("/admin/surveys/cmo/tallies.json")
    assert answered.status_code == 200
    assert answered.json["responses"] == 3000


def test_only_filtered_tallies_count_as_heavy(make_app):
    app = make_app(HEAVY_READS_PER_WORKER=0)
    client = admin_client(app)
    fill(app, 10)
    assert client.get("/admin/surveys/cmo").status_code == 200
    assert client.get("/admin/surveys/cmo/tallies.json?edition=2012").status_code == 200
    heavy = ["/admin/surveys/cmo?company_size=small", "/admin/surveys/cmo?since=2000-01-01",
             "/admin/surveys/cmo/tallies.json?region=europe", TRENDS,
             "/admin/surveys/cmo/trends", "/admin/report/2012", "/admin/compare/2012"]  # fmt: skip
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
        answers["first"] = first.get(TRENDS)
        store.close_thread_connections()

    thread = threading.Thread(target=run_first)
    thread.start()
    assert inside.wait(30)
    refused = second.get(TRENDS)
    release.set()
    thread.join(30)
    assert refused.status_code == 503
    assert BUSY in refused.text
    assert answers["first"].status_code == 200
    assert second.get(TRENDS).status_code == 200  # the slot was given back
