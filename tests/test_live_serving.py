"""A real two-worker gunicorn serves a questionnaire published, then closed, by a command
in another process from the first request after the command confirmed it, in every
worker (bench/live_publish.py prints how soon each worker answered)."""

from __future__ import annotations

from bench.live_publish import change_round, server_with_worker_log


def test_every_worker_serves_a_publish_and_a_close_without_a_restart():
    with server_with_worker_log(workers=2) as server:
        workers = set(server.worker_pids())
        results = change_round(server, 0)
    assert [command for command, _first, _stale in results] == ["publish", "close-edition"]
    for command, first, stale in results:
        assert set(first) == workers, command  # each worker answered after the change
        assert stale == 0, command  # and no request sent after it got the old answer
