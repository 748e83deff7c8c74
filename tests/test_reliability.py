"""Short, bounded versions of bench/load.py, bench/faults.py and bench/double_submit.py
against a real gunicorn server on a free 127.0.0.1 port."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from bench.harness import KEY, TOKEN, Load, Outcome, shipped_definitions
from bench.report import NO_FILE, check_database
from bench.scenarios import double_submit, last_page, refused_write, rows_for_key
from bench.server import Server
from surveyapp import store
from tests import pgcluster
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parent.parent
# What bench.report's file check says of a sound database: PostgreSQL has no such check.
SOUND = {"sqlite": "ok", "postgresql": NO_FILE}


def quiet_server(
    folder: Path, workers: int = 2, threads: int = 8, database_url: str | None = None
) -> Server:
    """A server without the webhook deliverer: none of these tests is about webhooks
    (tests/test_webhook_serving.py is), and two fewer processes start and stop."""
    server = Server(folder, workers=workers, threads=threads, database_url=database_url)
    server.env["SURVEYAPP_DELIVER_WEBHOOKS"] = "0"
    return server


@pytest.fixture
def server(tmp_path, engine):
    """A new server and database (a SQLite file, or a new PostgreSQL database): for tests
    that count every stored row, or kill."""
    url = pgcluster.new_database() if engine == "postgresql" else None
    try:
        with quiet_server(tmp_path, database_url=url) as running:
            yield running
    finally:
        if url:
            pgcluster.drop(url)


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for the tests that only check rows of their own submission keys and
    neither kill it nor change its data."""
    with quiet_server(tmp_path_factory.mktemp("shared")) as running:
        yield running


@pytest.mark.both_engines
def test_short_load_loses_and_duplicates_nothing(server, engine):
    load = Load(server.base, seconds=3, respondents=8, admins=2).run()
    checks = check_database(server.database, load.outcomes)
    assert checks["thanks"] > 0
    assert {o.result for o in load.outcomes} == {"thanks"}
    assert checks["rows"] == checks["thanks"]
    assert checks["lost"] == checks["duplicate keys"] == checks["counter mismatches"] == 0
    assert checks["integrity"] == SOUND[engine]
    assert load.stats.errors() == {}
    assert load.stats.times["admin poll"], "the admin pages were polled"
    db = store.connect(server.database)
    with store.immediate(db):
        db.execute("UPDATE counters SET count = count + 1 WHERE field = '*' AND value = '*'")
    db.close()
    assert check_database(server.database, load.outcomes)["counter mismatches"] >= 1


@pytest.mark.both_engines
def test_killed_worker_loses_no_acknowledged_response(server, engine):
    load = Load(server.base, seconds=60, respondents=8, admins=0, retries=100, max_walks=5)
    killed = []

    def kill_one():
        # mid-load: 8 of the 40 walks thanked, 32 still to come
        if wait_for(lambda: load.count("thanks") >= 8):
            killed.append(server.kill_worker())

    killer = threading.Thread(target=kill_one)
    killer.start()
    load.run()
    killer.join()
    checks = check_database(server.database, load.outcomes)
    assert killed and killed[0] not in server.worker_pids()
    assert {o.result for o in load.outcomes} <= {"thanks", "again"}
    assert checks["lost"] == checks["unacknowledged rows"] == checks["duplicate keys"] == 0
    assert checks["counter mismatches"] == 0
    assert checks["integrity"] == SOUND[engine]
    assert load.stats.server_errors() == 0


@pytest.mark.both_engines
def test_server_killed_and_restarted_keeps_every_acknowledged_response(server, engine):
    first = Load(server.base, seconds=60, respondents=4, admins=0, max_walks=3).run()
    server.kill()
    server.start()
    second = Load(server.base, seconds=60, respondents=4, admins=0, max_walks=3).run()
    checks = check_database(server.database, first.outcomes + second.outcomes)
    assert second.count("thanks") > 0
    assert checks["lost"] == checks["unacknowledged rows"] == 0
    assert checks["integrity"] == SOUND[engine] and checks["counter mismatches"] == 0


def test_twenty_parallel_posts_of_one_key_store_one_row(shared_server):
    result = double_submit(shared_server.base, copies=20)
    assert result["results"] == {"302 new": 1, "302 again": 19}
    assert rows_for_key(shared_server.database, result["key"]) == 1


def test_final_post_retried_after_a_lost_reply_is_already_received(shared_server):
    definition = shipped_definitions()[0]
    respondent, answers = last_page(shared_server.base, definition, random.Random(5))
    html = respondent.html
    data = {"csrf_token": TOKEN.search(html).group(1), "action": "submit", **answers,
            "submission_key": KEY.search(html).group(1)}  # fmt: skip
    url = f"{shared_server.base}/s/{definition.id}?page={len(definition.pages)}"
    cookies = respondent.session.cookies.copy()  # as before the reply that never arrived
    first = respondent.session.post(url, data=data, allow_redirects=False, timeout=15)
    retry = requests.post(url, data=data, cookies=cookies, allow_redirects=False, timeout=15)
    assert first.headers["Location"].endswith("again=0")
    assert retry.status_code == 302 and retry.headers["Location"].endswith("again=1")
    thanks = requests.get(shared_server.base + retry.headers["Location"], timeout=15)
    assert "already received" in thanks.text
    assert rows_for_key(shared_server.database, data["submission_key"]) == 1


@pytest.mark.both_engines
def test_threads_and_processes_store_exactly_what_they_were_thanked_for(server):
    walkers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.scenarios", server.base, "26", "4"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]  # fmt: skip
    in_process = Load(server.base, seconds=120, respondents=4, admins=0, max_walks=13).run()
    outcomes = list(in_process.outcomes)
    for walker in walkers:
        out, _ = walker.communicate(timeout=240)
        assert walker.returncode == 0
        outcomes += [
            Outcome(key, result) for result, key in (line.split() for line in out.splitlines())
        ]
    checks = check_database(server.database, outcomes)
    assert len(outcomes) == 2 * 26 * 4 + 4 * 13
    assert checks["thanks"] == checks["rows"] == len(outcomes)
    assert checks["duplicate keys"] == checks["counter mismatches"] == 0


@pytest.mark.parametrize("kind", ["read-only", "full"])
def test_database_refusing_writes_gives_try_again_page_with_answers_kept(tmp_path, kind):
    result = refused_write(tmp_path, kind)
    assert result["submit status"] == 503
    assert result["notice shown"] and result["answers kept"]
    assert not result["thanked while refusing"]
    assert result["back status"] == 503
    assert result["rows while refusing"] == 0
    assert result["retry"].startswith("302 ") and result["retry"].endswith("again=0")
    assert result["rows after retry"] == 1


def test_two_servers_run_side_by_side(tmp_path, shared_server):
    with quiet_server(tmp_path / "second", workers=1, threads=2) as other:
        for base in (shared_server.base, other.base):
            assert requests.get(base + "/", timeout=10).status_code == 200
