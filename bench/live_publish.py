"""How soon every gunicorn worker serves what a command published or closed, without a
restart.

    .venv/bin/python bench/live_publish.py [--workers 2] [--rounds 3]

Starts `surveyapp serve` (bench.server.Server) with each access-log line naming the
worker's pid and the probe's number. Each round publishes a new questionnaire with
`surveyapp publish FILE` in another process, then closes it with `close-edition`, while 4
threads probe `/s/<id>`. For each change it prints the milliseconds from the command's
confirmation line to the first answer of each worker reflecting it, and how many probes
sent after the confirmation still got the old answer (must be 0: every request checks the
catalogue generation).
"""

from __future__ import annotations

import argparse
import itertools
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import Server  # noqa: E402

QUESTIONNAIRE = """id: {id}
title: Live {id}
audience: testers
edition: 2026
pages:
  - title: One
    questions:
      - id: mood
        type: single_choice
        text: How are you?
        options:
          - {{code: good, label: Good}}
          - {{code: bad, label: Bad}}
"""
LOG_LINE = re.compile(r"^<(\d+)> (\S+) probe=(\d+) (\d{3})$")


@dataclass
class Probes:
    """Requests sent by a few threads; `sent[n]` is when probe n left (monotonic)."""

    base: str
    path: str
    sent: dict[int, float] = field(default_factory=dict)
    status: dict[int, int] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    _numbers: itertools.count = field(default_factory=itertools.count)

    def run(self, threads: int = 4, limit: int = 4000) -> list[threading.Thread]:
        started = [threading.Thread(target=self._loop, args=(limit,)) for _ in range(threads)]
        for thread in started:
            thread.start()
        return started

    def _loop(self, limit: int) -> None:
        while not self.stop.is_set():
            number = next(self._numbers)
            if number >= limit:
                return
            self.sent[number] = time.monotonic()
            answer = requests.get(f"{self.base}{self.path}?probe={number}", timeout=10)
            self.status[number] = answer.status_code
            time.sleep(0.02)


def server_with_worker_log(workers: int) -> Server:
    server = Server(workers=workers, threads=4)
    server.env["SURVEYAPP_ACCESS_LOG"] = str(server.workdir / "access.log")
    server.env["GUNICORN_CMD_ARGS"] = "--access-logformat '%(p)s %(U)s %(q)s %(s)s'"
    return server


def run_command(server: Server, *args: str) -> float:
    """Run `surveyapp ARGS` against the server's database; return when (monotonic) its
    first line of output arrived, i.e. after its transaction committed."""
    command = [str(Path(sys.executable).parent / "surveyapp"), *args]
    with subprocess.Popen(command, env=server.env, stdout=subprocess.PIPE, text=True) as proc:  # noqa: S603
        first = proc.stdout.readline()
        confirmed = time.monotonic()
        rest = proc.stdout.read()
        if proc.wait(timeout=60) != 0:
            raise RuntimeError(f"{args} failed: {first}{rest}")
    return confirmed


def worker_answers(server: Server, path: str) -> dict[int, tuple[int, int]]:
    """{probe: (worker pid, status)} of the probes of `path`, from the access log."""
    found = {}
    for line in (server.workdir / "access.log").read_text().splitlines():
        match = LOG_LINE.match(line.strip())
        if match and match[2] == path:
            found[int(match[3])] = (int(match[1]), int(match[4]))
    return found


def after(probes: Probes, answers: dict, since: float, expected: int) -> tuple[dict, int]:
    """({worker: ms from `since` to its first probe sent after it}, stale probes): every
    probe sent after `since` should get `expected`."""
    first: dict[int, float] = {}
    stale = 0
    for number, sent in sorted(probes.sent.items(), key=lambda item: item[1]):
        if sent < since or number not in answers:
            continue
        pid, status = answers[number]
        stale += status != expected
        first.setdefault(pid, (sent - since) * 1000)
    return first, stale


def wait_for_workers(probes: Probes, server: Server, since: float, expected: int) -> None:
    """Probe until every worker answered a probe sent after `since` (at most 20 s)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        time.sleep(0.2)
        first, _ = after(probes, worker_answers(server, probes.path), since, expected)
        if set(first) >= set(server.worker_pids()):
            return
    raise RuntimeError("not every worker answered within 20 s")


def change_round(server: Server, number: int) -> list[tuple[str, dict, int]]:
    """Publish then close questionnaire `live<number>` while probing it."""
    survey = f"live{number}"
    source = server.workdir / f"{survey}.yaml"
    source.write_text(QUESTIONNAIRE.format(id=survey))
    probes = Probes(server.base, f"/s/{survey}")
    threads = probes.run()
    results = []
    try:
        for args, expected in ((("publish", str(source)), 200),
                               (("close-edition", survey, "2026"), 410)):  # fmt: skip
            since = run_command(server, *args)
            wait_for_workers(probes, server, since, expected)
            first, stale = after(probes, worker_answers(server, probes.path), since, expected)
            results.append((args[0], first, stale))
    finally:
        probes.stop.set()
        for thread in threads:
            thread.join(timeout=15)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with server_with_worker_log(options.workers) as server:
        for number in range(options.rounds):
            for command, first, stale in change_round(server, number):
                per_worker = ", ".join(f"{pid}: {ms:.0f} ms" for pid, ms in sorted(first.items()))
                print(f"round {number} {command}: first answer after it per worker"
                      f" ({per_worker}); stale answers after it: {stale}")  # fmt: skip


if __name__ == "__main__":
    main()
