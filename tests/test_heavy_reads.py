"""Heavy admin reads are bounded: a time budget per read (store.read_budget) and a cap on
how many run at once per worker process; both answer 503 and keep the server usable. They
run on threads of lower OS priority than respondents' requests."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest
from werkzeug.exceptions import HTTPException

import surveyapp
from surveyapp import store
from surveyapp.web.admin import heavy
from surveyapp.web.admin.heavy import BUSY, TOO_HEAVY
from tests.adminkit import add, admin_client, cmo

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


@pytest.mark.both_engines
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


@pytest.mark.both_engines
def test_a_write_transaction_is_never_stopped_by_the_budget(conn):
    with store.read_budget(conn, 0), store.immediate(conn):
        conn.execute(
            "INSERT INTO t WITH RECURSIVE n(x) AS"
            " (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000) SELECT x FROM n"
        )
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (200000,)


@pytest.mark.both_engines
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


@pytest.mark.both_engines
def test_a_view_over_its_time_budget_answers_503_and_the_next_view_is_served(make_app):
    app = make_app(ADMIN_READ_SECONDS=0)
    client = admin_client(app)
    fill(app, 3000)
    refused = client.get(SEGMENT_TRENDS)
    assert refused.status_code == 503
    assert TOO_HEAVY in refused.text
    # unfiltered tallies and trends come from the counters
    answered = client.get("/admin/surveys/cmo/tallies.json")
    assert answered.status_code == 200
    assert answered.json["responses"] == 3000
    assert client.get(TRENDS).json["respondents"]["2012"] == 3000


@pytest.mark.both_engines
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


def wait_for(db, path: str) -> int:
    """A heavy read that holds its slot until `path` exists (at most 30 s)."""
    deadline = time.monotonic() + 30
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    return db.execute("SELECT count(*) FROM responses").fetchone()[0]


def where(db) -> tuple[int, int, int]:
    """(process id, nice value, session id) of the process running the read."""
    return os.getpid(), os.getpriority(os.PRIO_PROCESS, 0), os.getsid(0)


def code(db) -> str:
    return surveyapp.__file__


def die(db) -> None:
    os._exit(1)


def in_request(app, applies: bool, func, *args):
    """heavy.run(applies, func, *args) as a view would call it: its answer, or the HTTP
    status it aborted with."""
    with app.test_request_context("/admin/"):
        try:
            return heavy.run(applies, func, *args)
        except HTTPException as exc:
            return exc.code, exc.description


@pytest.mark.both_engines
def test_a_heavy_read_over_the_cap_is_refused_at_once_while_one_runs(make_app, tmp_path):
    app = make_app(HEAVY_READS_PER_WORKER=1)
    fill(app, 7)
    client = admin_client(app)
    go = tmp_path / "go"
    answers = {}
    first = threading.Thread(target=lambda: answers.update(first=in_request(
        app, True, wait_for, str(go))))  # fmt: skip
    first.start()
    deadline = time.monotonic() + 30
    while in_request(app, True, where) != (503, BUSY) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the first read holds the only slot
    refused = client.get(SEGMENT_TRENDS)
    unfiltered = client.get(TRENDS)
    go.touch()
    first.join(30)
    assert refused.status_code == 503
    assert BUSY in refused.text
    assert unfiltered.status_code == 200  # read from the counters, so never refused
    assert answers["first"] == 7
    assert client.get(SEGMENT_TRENDS).status_code == 200  # the slot was given back


@pytest.mark.both_engines
def test_heavy_reads_run_in_a_lower_priority_process_of_their_own_session(make_app):
    app = make_app(HEAVY_READS_NICE=3)
    client = admin_client(app)
    fill(app, 20)
    here = (os.getpid(), os.getpriority(os.PRIO_PROCESS, 0), os.getsid(0))
    assert in_request(app, False, where) == here  # not heavy: right here
    pid, nice, session = in_request(app, True, where)
    assert pid != here[0] and nice == min(19, here[1] + 3) and session == pid
    assert in_request(app, True, where) == (pid, nice, session)  # the same process again
    assert os.getpriority(os.PRIO_PROCESS, 0) == here[1]
    assert in_request(app, True, code) == surveyapp.__file__  # this checkout's code there too
    segment = client.get(SEGMENT_TRENDS)  # counted there, shaped here
    assert segment.status_code == 200
    assert segment.json["respondents"]["2012"] == 10
    add(app, "cmo", cmo(comments="Late hand-off, twice"))
    report = client.get("/admin/report/2012")  # its comments read there
    assert report.status_code == 200 and "Late hand-off, twice" in report.text


@pytest.mark.both_engines
def test_a_read_process_that_dies_answers_503_and_the_next_read_starts_a_new_one(make_app):
    app = make_app()
    fill(app, 5)
    first, _nice, _session = in_request(app, True, where)
    assert in_request(app, True, die) == (503, BUSY)
    second, _nice, _session = in_request(app, True, where)
    assert second != first


def rows_in_the_database_file(app, tmp_path) -> int:
    """Responses in the main database file alone, without what its write-ahead log holds."""
    copy = tmp_path / "file-only.db"
    shutil.copyfile(app.config["DATABASE"], copy)
    db = store.connect(copy)
    try:
        return db.execute("SELECT count(*) FROM responses").fetchone()[0]
    finally:
        db.close()


def test_a_heavy_read_checkpoints_what_it_held_back_so_respondents_commits_need_not(
    make_app, tmp_path
):
    app = make_app()
    fill(app, 20)  # a few pages: below the automatic checkpoint, so still in the log
    assert rows_in_the_database_file(app, tmp_path) == 0
    in_request(app, True, where)
    assert rows_in_the_database_file(app, tmp_path) == 20
