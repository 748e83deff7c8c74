"""`surveyapp serve` (gunicorn, gthread) on a free 127.0.0.1 port with its own temporary
instance folder and database, for bench scripts and tests."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.harness import ADMIN_PASSWORD, ADMIN_USER, NETWORK_ERRORS
from bench.loadgen import free_port

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """`surveyapp serve` (gunicorn, gthread) on a free port, with its own temp instance."""

    def __init__(self, workdir: Path | None = None, workers: int = 2, threads: int = 16):
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="surveyapp-bench-")
        self.workdir = Path(workdir or self._tmp.name)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.database = self.workdir / "surveyapp.db"
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

    def start(self, timeout: float = 30.0) -> Server:
        command = [
            sys.executable, "-m", "surveyapp", "serve", "--port", str(self.port),
            "--workers", str(self.workers), "--threads", str(self.threads),
        ]  # fmt: skip
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)  # noqa: S603
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                up = requests.get(self.base + "/", timeout=2).status_code == 200
                if up and len(self.worker_pids()) == self.workers:
                    return self
            except NETWORK_ERRORS:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def kill_worker(self) -> int:
        """SIGKILL one worker (the master starts a new one); return its pid."""
        pid = random.choice(self.worker_pids())  # noqa: S311
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a power cut would."""
        for pid in [*self.worker_pids(), self.proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.proc = None

    def close(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
