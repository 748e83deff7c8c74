"""What the bench scripts and the reliability tests share: a real gunicorn server on a
free 127.0.0.1 port with its own database, browser-like respondents and admin pollers,
latency figures and the consistency checks run on the database afterwards."""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

from surveyapp import SHIPPED_SURVEYS, ops
from surveyapp import db as storage
from surveyapp.definitions import definition_files, load_all
from surveyapp.forms import counted_fields
from surveyapp.model import Definition
from surveyapp.question_types import REGISTRY

# The first of these that answers 200 after logging in is polled by the admin clients.
ADMIN_POLL_PATHS = ("/admin/surveys/{survey}/tallies.json", "/admin/")
ADMIN_USER = "bench-admin"
ADMIN_PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway account on a temporary database
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]*)"')
NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shipped_definitions() -> list[Definition]:
    catalog = load_all(definition_files(SHIPPED_SURVEYS))
    return [editions[max(editions)] for _id, editions in sorted(catalog.items())]


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
            "SURVEYAPP_DATABASE": str(self.database),
            "SURVEYAPP_INSTANCE": str(self.workdir / "instance"),
            "SURVEYAPP_SECRET_KEY": "bench-secret",
            "SURVEYAPP_ADMIN_USER": ADMIN_USER,
            "SURVEYAPP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "SURVEYAPP_ACCESS_LOG": "",
        }

    def start(self, timeout: float = 30.0) -> Server:
        command = [
            str(Path(sys.executable).parent / "surveyapp"), "serve", "--port", str(self.port),
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


class Stats:
    """Latency per step and outcome counts, shared by every client thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()

    def record(self, step: str, seconds: float | None, status: int | str) -> None:
        with self.lock:
            if seconds is not None:
                self.times[step].append(seconds)
            self.statuses[status] += 1

    def percentiles(self) -> dict[str, dict[str, float]]:
        table = {}
        for step, values in sorted(self.times.items()):
            ordered = sorted(values)
            row = {"n": len(ordered)}
            for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
                row[name] = ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
            table[step] = row
        return table

    def errors(self) -> dict[str, int]:
        return {str(s): n for s, n in self.statuses.items() if not str(s).startswith(("2", "3"))}

    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if str(s).startswith("5"))


def answers_for(definition: Definition, rng: random.Random) -> list[dict[str, str | list[str]]]:
    """Valid random answers, one dict of form fields per page."""
    pages = []
    for page in definition.pages:
        values: dict[str, str | list[str]] = {}
        for q in page.questions:
            kind = REGISTRY[q.type]
            tallied = dict(kind.tallied(q))
            for name in kind.field_names(q):
                if name in tallied:
                    codes = [o.code for o in tallied[name]]
                    picks = rng.sample(codes, int(q.settings.get("min_picks") or 1))
                    values[name] = picks if q.type == "multiple_choice" else picks[0]
                elif q.type == "number":
                    values[name] = str(q.settings.get("minimum", 1))
                else:
                    values[name] = rng.choice(["", "Fine.", "Late deliveries, twice.", "ok"])
        pages.append(values)
    return pages


@dataclass
class Outcome:
    key: str
    result: str  # "thanks", "again" or an error ("status 503", "network")
    submit_retried: bool = False


class StepFailed(Exception):
    pass


class Respondent:
    """One browser: a requests.Session walking whole questionnaires."""

    def __init__(
        self, base: str, stats: Stats, rng: random.Random, retries: int = 0, think: float = 0.0
    ):
        self.base, self.stats, self.rng, self.retries = base, stats, rng, retries
        self.think = think
        self.session = requests.Session()
        self.html = ""
        self.retried = False

    def _send(self, step: str, method: str, path: str, expect: int, **kwargs) -> requests.Response:
        for attempt in range(self.retries + 1):
            start = time.perf_counter()
            try:
                response = self.session.request(
                    method, self.base + path, timeout=15, allow_redirects=False, **kwargs
                )
            except NETWORK_ERRORS:
                self.stats.record(step, None, "network")
                self.retried = True
                if attempt == self.retries:
                    raise StepFailed("network") from None
                time.sleep(0.2)
                continue
            self.stats.record(step, time.perf_counter() - start, response.status_code)
            if response.status_code != expect:
                raise StepFailed(f"status {response.status_code}")
            return response
        raise StepFailed("unreachable")

    def _get_page(self, path: str) -> None:
        self.html = self._send("GET page", "GET", path, 200).text

    def _post(self, step: str, path: str, action: str, answers: dict) -> str:
        if self.think:
            time.sleep(self.rng.uniform(0, 2 * self.think))
        data = {
            "csrf_token": TOKEN.search(self.html).group(1),
            "submission_key": KEY.search(self.html).group(1),
            "action": action,
            **answers,
        }
        response = self._send(step, "POST", path, 302, data=data)
        return response.headers["Location"]

    def walk(self, definition: Definition) -> Outcome:
        """Every page, Back once from page 2, Submit; then the thank-you page."""
        pages = answers_for(definition, self.rng)
        url = f"/s/{definition.id}"
        key = ""
        try:
            self._get_page(f"{url}?page=1")
            key = KEY.search(self.html).group(1)
            number, went_back = 1, False
            while number < len(pages):
                if number == 2 and not went_back:
                    self._get_page(self._post("POST back", f"{url}?page=2", "back", pages[1]))
                    went_back, number = True, 1
                    continue
                answers = pages[number - 1]
                self._get_page(self._post("POST next", f"{url}?page={number}", "next", answers))
                number += 1
            self.retried = False
            location = self._post("POST submit", f"{url}?page={number}", "submit", pages[-1])
            retried = self.retried
            text = self._send("GET thanks", "GET", location, 200).text
            again = "again=1" in location
            if ("already received" if again else "has been received") not in text:
                return Outcome(key, "wrong thank-you text", retried)
            return Outcome(key, "again" if again else "thanks", retried)
        except StepFailed as exc:
            return Outcome(key, str(exc))


def admin_login(base: str, stats: Stats) -> tuple[requests.Session, str] | None:
    """Log in like a browser; return the session and the live admin URL it may poll."""
    session = requests.Session()
    try:
        html = session.get(base + "/admin/login", timeout=15).text
        start = time.perf_counter()
        response = session.post(
            base + "/admin/login",
            data={"csrf_token": TOKEN.search(html).group(1), "username": ADMIN_USER,
                  "password": ADMIN_PASSWORD},
            timeout=15, allow_redirects=False,
        )  # fmt: skip
        stats.record("admin login", time.perf_counter() - start, response.status_code)
        survey = shipped_definitions()[0].id
        paths = [p.format(survey=survey) for p in ADMIN_POLL_PATHS]
        return session, next(p for p in paths if session.get(base + p, timeout=15).ok)
    except (*NETWORK_ERRORS, StopIteration, AttributeError):
        stats.record("admin login", None, "admin login failed")
        return None


def admin_poller(
    base: str, login: tuple[requests.Session, str], stats: Stats, stop: threading.Event
) -> None:
    """Poll the live admin URL every second with If-None-Match, as the page's script does."""
    session, path = login
    etag = None
    while not stop.wait(1.0):
        start = time.perf_counter()
        try:
            headers = {"If-None-Match": etag} if etag else {}
            response = session.get(base + path, headers=headers, timeout=15)
        except NETWORK_ERRORS:
            stats.record("admin poll", None, "network")
            continue
        stats.record("admin poll", time.perf_counter() - start, response.status_code)
        etag = response.headers.get("ETag", etag)


@dataclass
class Load:
    """Respondent and admin threads against a running server, bounded in time and walks."""

    base: str
    seconds: float
    respondents: int = 32
    admins: int = 20
    retries: int = 0
    think: float = 0.0
    max_walks: int = 100_000
    seed: int = 1
    stats: Stats = field(default_factory=Stats)
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0

    def run(self) -> Load:
        definitions = shipped_definitions()
        stop = threading.Event()
        lock = threading.Lock()
        # Admin pages are already open when respondents arrive: log in first (a password
        # hash each), so the login burst is not counted in the respondents' latencies.
        logins = [admin_login(self.base, self.stats) for _ in range(self.admins)]
        logins = [login for login in logins if login]
        deadline = time.monotonic() + self.seconds

        def respondent(number: int) -> None:
            rng = random.Random(self.seed * 1000 + number)  # noqa: S311
            for _ in range(self.max_walks):
                if time.monotonic() >= deadline:
                    return
                outcome = Respondent(self.base, self.stats, rng, self.retries, self.think).walk(
                    rng.choice(definitions)
                )
                with lock:
                    self.outcomes.append(outcome)

        threads = [threading.Thread(target=respondent, args=(n,)) for n in range(self.respondents)]
        pollers = [
            threading.Thread(target=admin_poller, args=(self.base, login, self.stats, stop))
            for login in logins
        ]
        start = time.monotonic()
        for thread in threads + pollers:
            thread.start()
        for thread in threads:
            thread.join()
        self.elapsed = time.monotonic() - start
        stop.set()
        for thread in pollers:
            thread.join()
        return self

    def count(self, result: str) -> int:
        return sum(o.result == result for o in self.outcomes)


def check_database(path: Path, outcomes: list[Outcome]) -> dict:
    """Compare what clients were told with what the database holds."""
    db = storage.connect(path)
    try:
        stored = {row[0] for row in db.execute("SELECT submission_key FROM responses").fetchall()}
        rows = db.execute("SELECT count(*) FROM responses").fetchone()[0]
        counted = {(d.id, d.edition): counted_fields(d) for d in shipped_definitions()}
        acknowledged = {o.key for o in outcomes if o.result in ("thanks", "again")}
        attempted = {o.key for o in outcomes if o.key}
        return {
            "rows": rows,
            "thanks": sum(o.result == "thanks" for o in outcomes),
            "again": sum(o.result == "again" for o in outcomes),
            "lost": len(acknowledged - stored),
            "unexpected rows": len(stored - attempted),
            "unacknowledged rows": len(stored - acknowledged),
            "duplicate keys": len(ops.duplicate_submission_keys(db)),
            "counter mismatches": len(ops.counter_mismatches(db, counted)),
            "integrity": ", ".join(ops.integrity_check(db)),
        }
    finally:
        db.close()


def report(load: Load, checks: dict, out=print) -> None:
    fresh = load.count("thanks")
    requests_made = sum(len(v) for v in load.stats.times.values())
    out(f"duration {load.elapsed:.1f} s, {load.respondents} respondents (think time"
        f" {load.think:.2f} s a page on average), {load.admins} admin pages")  # fmt: skip
    out(f"responses stored {fresh} ({fresh / load.elapsed:.1f}/s), "
        f"requests {requests_made} ({requests_made / load.elapsed:.1f}/s)")  # fmt: skip
    out(f"{'step':<14}{'n':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for step, row in load.stats.percentiles().items():
        out(f"{step:<14}{row['n']:>8}{row['p50']:>10.1f}{row['p95']:>10.1f}{row['p99']:>10.1f}")
    out(f"errors by status: {load.stats.errors() or 'none'}")
    out("consistency: " + ", ".join(f"{k} {v}" for k, v in checks.items()))
