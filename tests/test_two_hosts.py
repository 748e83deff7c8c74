"""deploy/two-hosts/run: two app hosts on one database behind nginx, on one machine.

The script runs for the length of a test: a respondent submits through nginx (both hosts
serve the walk), host A is killed outright (its whole process group, as a power cut would),
a second respondent submits through nginx again; each response is stored once. On
PostgreSQL the script starts its own throw-away cluster (unless SURVEYAPP_TEST_POSTGRES
names a server); on SQLite both hosts share one file, which works on one machine only."""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.harness import ADMIN_PASSWORD, ADMIN_USER, Respondent, shipped_definitions
from bench.loadgen import Stats, free_port
from bench.proxy import NGINX
from surveyapp import store
from surveyapp.store import pg
from tests import pgcluster
from tests.conftest import wait_for

pytestmark = pytest.mark.both_engines
ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "deploy" / "two-hosts" / "run"
HOST_LINE = re.compile(r"host (a|b): http://127\.0\.0\.1:(\d+) \(pid (\d+), instance (\S+)\)")


@dataclass
class Trial:
    proc: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    def read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("ready: "):
                self.ready.set()

    def value(self, prefix: str) -> str:
        return next(line.removeprefix(prefix) for line in self.lines if line.startswith(prefix))

    def hosts(self) -> dict[str, tuple[int, int, str]]:
        """name -> (port, pid, instance folder)"""
        found = [HOST_LINE.search(line) for line in self.lines]
        return {m[1]: (int(m[2]), int(m[3]), m[4]) for m in found if m}

    def served(self) -> list[tuple[str, str]]:
        """(status, upstream addresses tried) of every request nginx logged so far."""
        log = Path(self.value("work folder: ").split(" ")[0]) / "nginx" / "access.log"
        return re.findall(r'" (\d{3}) upstream=(.*)$', log.read_text(), re.MULTILINE)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEYAPP_")}
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env | {
        "PYTHON": sys.executable, "PYTHONPATH": path,
        # one secret key and audit key for both hosts, from the environment
        "SURVEYAPP_SECRET_KEY": "two-hosts-secret", "SURVEYAPP_AUDIT_KEY": "two-hosts-audit",
        "SURVEYAPP_ADMIN_USER": ADMIN_USER, "SURVEYAPP_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }  # fmt: skip


@pytest.fixture
def trial(tmp_path, engine):
    assert NGINX.exists(), "Debian's nginx is missing: run scripts/install-nginx"
    ports = [free_port() for _ in range(3)]
    command = [str(RUN), "--port", str(ports[0]), "--hosts", f"{ports[1]},{ports[2]}",
               "--workers", "1"]  # fmt: skip
    if engine == "sqlite":
        command += ["--database-url", f"sqlite:///{tmp_path / 'shared.db'}"]
    elif pg.is_url(os.environ.get(pgcluster.SETTING, "")):
        command += ["--database-url", pgcluster.new_database()]
    proc = subprocess.Popen(command, env=_environment(), stdout=subprocess.PIPE,  # noqa: S603
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    running = Trial(proc)
    reader = threading.Thread(target=running.read, daemon=True)
    reader.start()
    try:
        assert running.ready.wait(180), "\n".join(running.lines)
        yield running
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=90)
        finally:
            for _port, pid, _instance in running.hosts().values():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
    reader.join(timeout=10)
    proc.stdout.close()
    assert proc.returncode == 130, "\n".join(running.lines)
    assert running.lines[-1].startswith("stopped: nginx, both app hosts")
    assert not Path(running.value("work folder: ").split(" ")[0]).exists()


def _stored(database: str, keys: list[str]) -> list[int]:
    """How many responses the database holds for each key, then in all."""
    target = database.removeprefix("sqlite:///")
    db = store.connect(target)
    try:
        counts = [db.execute("SELECT count(*) FROM responses WHERE submission_key = ?", [key])
                  .fetchone()[0] for key in keys]  # fmt: skip
        return [*counts, db.execute("SELECT count(*) FROM responses").fetchone()[0]]
    finally:
        db.close()
        if pg.is_url(target):
            pg.close_pool(target)


def _alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_host_killed_behind_nginx_loses_nothing_and_stores_nothing_twice(trial):
    base = trial.value("ready: ").split(" ")[0].rstrip("/")
    hosts = trial.hosts()
    (port_a, pid_a, instance_a), (port_b, _pid_b, instance_b) = hosts["a"], hosts["b"]
    assert instance_a != instance_b
    definition, stats = shipped_definitions()[0], Stats()

    first = Respondent(base, stats, random.Random(1)).walk(definition)
    assert first.result == "thanks", trial.served()
    before = trial.served()
    # nginx balanced the walk's requests between the two hosts
    assert {tried for _status, tried in before} == {f"127.0.0.1:{port_a}", f"127.0.0.1:{port_b}"}

    os.killpg(pid_a, signal.SIGKILL)
    assert wait_for(lambda: not _alive(pid_a), 30)
    second = Respondent(base, stats, random.Random(2)).walk(definition)
    assert second.result == "thanks", trial.served()
    after = trial.served()[len(before) :]
    assert all(status in ("200", "302") for status, _tried in after), after
    # host A refused a request and nginx passed it to host B; B answered all the rest
    assert (f"127.0.0.1:{port_a}, 127.0.0.1:{port_b}") in [tried for _s, tried in after]
    assert {tried.split(", ")[-1] for _status, tried in after} == {f"127.0.0.1:{port_b}"}
    assert stats.errors() == {}

    assert _stored(trial.value("database: "), [first.key, second.key]) == [1, 1, 2]
