"""`surveyapp serve` (gunicorn, gthread) on a free 127.0.0.1 port with its own temporary
instance folder and database (or a PostgreSQL database several servers share), for bench
scripts and tests."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from bench.harness import ADMIN_PASSWORD, ADMIN_USER, NETWORK_ERRORS
from bench.loadgen import free_port

ROOT = Path(__file__).resolve().parent.parent
AUDIT_KEY = "bench-audit-key"  # every server on one PostgreSQL database shares it


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def is_deliverer(pid: int) -> bool:
    try:
        return b"deliver-webhooks" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def started(proc: subprocess.Popen, up: Callable[[], bool], timeout: float, pause: float,
            exited: Callable[[], str]) -> bool:  # fmt: skip
    """Whether `up()` answered True within `timeout` seconds (tried every `pause` seconds);
    RuntimeError(`exited()`) as soon as `proc` ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(exited())
        if up():
            return True
        time.sleep(pause)
    return False


def terminate(
    proc: subprocess.Popen, timeout: float, kill: Callable[[], None] | None = None
) -> None:
    """SIGTERM; past `timeout` seconds `kill()` (default: SIGKILL and wait as long again)."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        if kill is not None:
            kill()
            return
        proc.kill()
        proc.wait(timeout=timeout)


class Server:
    """`surveyapp serve` (gunicorn, gthread) on a free port, with its own temp instance;
    its own SQLite file there, or the PostgreSQL database at `database_url`."""

    def __init__(self, workdir: Path | None = None, workers: int = 2, threads: int = 16,
                 database_url: str | None = None):  # fmt: skip
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="surveyapp-bench-")
        self.workdir = Path(workdir or self._tmp.name)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.database: Path | str = database_url or self.workdir / "surveyapp.db"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = workers, threads
        self.proc: subprocess.Popen | None = None
        self.log = self.workdir / "server.log"
        self.env = {
            **os.environ,
            # `surveyapp serve` and commands run this checkout's code, not the installed one
            "SURVEYAPP_DATABASE": str(self.database),
            "SURVEYAPP_INSTANCE": str(self.workdir / "instance"),
            "SURVEYAPP_SECRET_KEY": "bench-secret",
            "SURVEYAPP_ADMIN_USER": ADMIN_USER,
            "SURVEYAPP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "SURVEYAPP_ACCESS_LOG": "",
            # every virtual respondent comes from 127.0.0.1: counted (up to the limit),
            # never throttled at 1,000 a second
            "SURVEYAPP_SUBMISSIONS_PER_ADDRESS": "1000",
            "SURVEYAPP_SUBMISSION_WINDOW_SECONDS": "1",
            "SURVEYAPP_DRAFTS_PER_ADDRESS": "1000",
            # this checkout's surveyapp, not the one the venv's editable install points at
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        if database_url:
            self.env |= {"SURVEYAPP_DATABASE_URL": database_url, "SURVEYAPP_AUDIT_KEY": AUDIT_KEY}

    def audit_key(self) -> bytes | None:
        """The key of the database's audit chain (None before the first start on SQLite)."""
        if "SURVEYAPP_AUDIT_KEY" in self.env:
            return self.env["SURVEYAPP_AUDIT_KEY"].encode()
        path = self.workdir / "instance" / "audit_key"
        return path.read_text(encoding="utf-8").strip().encode() if path.exists() else None

    def start(self, timeout: float = 30.0) -> Server:
        command = [
            sys.executable, "-m", "surveyapp", "serve", "--port", str(self.port),
            "--workers", str(self.workers), "--threads", str(self.threads),
        ]  # fmt: skip
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)  # noqa: S603
        if started(self.proc, self._up, timeout, 0.1,
                   lambda: f"server exited: {self.log.read_text()[-2000:]}"):  # fmt: skip
            return self
        self.stop()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def _up(self) -> bool:
        try:
            up = requests.get(self.base + "/", timeout=2).status_code == 200
        except NETWORK_ERRORS:
            return False
        return up and len(self.worker_pids()) == self.workers

    def worker_pids(self) -> list[int]:
        """The gunicorn workers (the master's children but the webhook deliverer)."""
        if self.proc is None:
            return []
        return [pid for pid in children(self.proc.pid) if not is_deliverer(pid)]

    def deliverer_pids(self) -> list[int]:
        """The webhook deliverer's supervisor and the deliverer it runs."""
        if self.proc is None:
            return []
        supervisors = [pid for pid in children(self.proc.pid) if is_deliverer(pid)]
        return supervisors + [pid for s in supervisors for pid in children(s)]

    def kill_worker(self) -> int:
        """SIGKILL one worker (the master starts a new one); return its pid."""
        pid = random.choice(self.worker_pids())  # noqa: S311
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill(self) -> None:
        """SIGKILL the master, every worker and the deliverer at once, as a power cut would."""
        for pid in [*self.worker_pids(), *self.deliverer_pids(), self.proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc, 20, self.kill)
            self.proc = None

    def close(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
