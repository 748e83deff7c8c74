"""`surveyapp serve` runs the webhook deliverer beside gunicorn: a response acknowledged by
the real server reaches the receiver; a killed deliverer is started again by its
supervisor; stopping the server stops the deliverer."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import requests

from bench.harness import ADMIN_USER
from bench.receiver import Receiver, verified
from bench.server import Server
from surveyapp import store
from surveyapp.store import tokens, webhooks
from tests.adminkit import cmo
from tests.conftest import wait_for


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_serve_delivers_restarts_its_deliverer_and_stops_it(tmp_path):
    server = Server(tmp_path, workers=1, threads=4)
    server.env["SURVEYAPP_WEBHOOKS_ALLOW_PRIVATE"] = "true"
    with Receiver() as receiver, server:
        db = store.connect(server.database)
        try:
            secret = webhooks.add_endpoint(db, "cmo", receiver.url, ["response.completed"], "t")[1]
            write = tokens.create(db, ADMIN_USER, "write")[1]
        finally:
            db.close()
        assert wait_for(lambda: len(server.deliverer_pids()) == 2, 20)
        supervisor, first = server.deliverer_pids()

        def submit() -> str:
            answer = requests.post(
                f"{server.base}/api/v1/questionnaires/cmo/responses", json={"answers": cmo()},
                headers={"Authorization": f"Bearer {write}"}, timeout=10,
            )  # fmt: skip
            assert answer.status_code == 201, answer.text
            return answer.json()["response_id"]

        def delivered() -> list[str]:
            """Response ids in the order they first arrived: delivery is at least once, so
            a deliverer killed between the receiver's answer and its own record sends again."""
            ids = [verified(secret, r)["data"]["response_id"] for r in receiver.received]
            return list(dict.fromkeys(ids))

        made = [submit()]
        assert wait_for(lambda: len(delivered()) == 1, 20)
        os.kill(first, signal.SIGKILL)
        made.append(submit())  # acknowledged while no deliverer runs
        assert wait_for(lambda: len(delivered()) == 2, 30)
        assert server.deliverer_pids()[0] == supervisor
        assert server.deliverer_pids()[1] != first
        running = server.deliverer_pids()
    assert delivered() == made
    assert wait_for(lambda: not any(alive(pid) for pid in running), 15)


def test_serve_without_webhooks_tells_gunicorn_not_to_start_the_deliverer(runner, monkeypatch):
    calls = []
    monkeypatch.setattr("os.execv", lambda path, args: calls.append(args))
    assert runner.invoke(args=["serve"]).exit_code == 0
    assert runner.invoke(args=["serve", "--no-webhooks"]).exit_code == 0
    with_hooks, without = calls
    assert "SURVEYAPP_DELIVER_WEBHOOKS=0" not in with_hooks
    assert without[without.index("--env") + 1] == "SURVEYAPP_DELIVER_WEBHOOKS=0"


def test_the_gunicorn_hook_starts_a_supervised_deliverer_unless_told_not_to(monkeypatch):
    from surveyapp import gunicorn_conf

    started = []
    monkeypatch.setattr("subprocess.Popen", lambda command, **_kw: started.append(command))
    monkeypatch.setenv("SURVEYAPP_DELIVER_WEBHOOKS", "0")
    gunicorn_conf.on_starting(None)
    assert started == []
    monkeypatch.delenv("SURVEYAPP_DELIVER_WEBHOOKS")
    gunicorn_conf.on_starting(None)
    (command,) = started
    assert command[1:] == ["-m", "surveyapp", "deliver-webhooks", "--supervise", "--exit-with",
                           str(os.getpid())]  # fmt: skip
    gunicorn_conf._deliverer.clear()
