"""The targets compare.py measures: how to start each server and what one completed response is."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import venv
from dataclasses import dataclass, field
from pathlib import Path

from loadgen import Browser, Step, free_port

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEER_VENV = BENCH / ".peer-venv"
PEER_PACKAGES = ["django-survey-and-report==1.5.0", "gunicorn"]
ITEMS = [
    "communicate", "timeframes", "cost_containment", "process_variability", "tech_transfer",
    "scale_differences", "difficult_problems", "regulatory_role", "hand_off",
    "unsuitable_cell_lines",
]  # fmt: skip
RATINGS = ["very_common", "somewhat_common", "rare", "not_a_problem"]
POSTGRES_TARGETS = ("surveyapp PostgreSQL", "surveyapp PostgreSQL x2")


def answers(n: int) -> dict[str, str]:
    """The like-for-like answers, varied a little per response."""
    rated = {f"problems-{item}": RATINGS[(n + i) % 4] for i, item in enumerate(ITEMS)}
    return rated | {"company_size": "medium", "region": "europe", "comments": f"Fine {n}."}


@dataclass
class Target:
    name: str
    app: str  # gunicorn application spec
    walk: Step
    python: str = sys.executable
    cwd: Path = ROOT
    env: dict[str, str] = field(default_factory=dict)
    prepare: list[list[str]] = field(default_factory=list)
    instances: int = 1  # gunicorns on one database; respondents spread over them
    ports: list[int] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, workers: int, threads: int, log: Path) -> None:
        env = {**os.environ, **self.env}
        for command in self.prepare:
            subprocess.run(command, cwd=self.cwd, env=env, check=True, timeout=300)
        for number in range(self.instances):
            self._gunicorn(env, workers, threads, log.with_suffix(f".{number}.log"))

    def _gunicorn(self, env: dict[str, str], workers: int, threads: int, log: Path) -> None:
        port = free_port()
        gunicorn = str(Path(self.python).parent / "gunicorn")
        process = subprocess.Popen(
            [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--worker-class", "gthread", "--threads", str(threads), "--no-control-socket",
             "--log-level", "warning", self.app],
            cwd=self.cwd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.ports.append(port)
        self.processes.append(process)
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited; see {log}") from None
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start in 30 s; see {log}")

    def cpu_seconds(self) -> float:
        """User + system CPU of the gunicorn masters and their workers so far (not the
        database server's: a PostgreSQL target's figure leaves out the postgres processes)."""
        tick = os.sysconf("SC_CLK_TCK")
        masters = {process.pid for process in self.processes}
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(stat.parent.name), int(fields[1])
            if masters & {pid, ppid}:
                total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


class Counter:
    n = 0


def _next() -> int:
    Counter.n += 1
    return Counter.n


def surveyapp_bench(browser: Browser) -> None:
    browser.get("/s/bench")
    browser.post("/s/bench?page=1", {
        **browser.hidden("csrf_token", "submission_key"), "action": "submit", **answers(_next()),
    })  # fmt: skip


def surveyapp_cmo(browser: Browser) -> None:
    given = answers(_next())
    pages = [
        {"manufactures_for_clients": "yes"} | {k: given[k] for k in ("company_size", "region")},
        {k: v for k, v in given.items() if k.startswith("problems-")},
        {"comments": given["comments"]},
    ]
    browser.get("/s/cmo?page=1")
    for number, page in enumerate(pages, 1):
        action = "submit" if number == len(pages) else "next"
        tokens = browser.hidden("csrf_token", "submission_key")
        browser.post(f"/s/cmo?page={number}", {**tokens, "action": action, **page})
        if number < len(pages):
            browser.get(f"/s/cmo?page={number + 1}")


def baseline(browser: Browser) -> None:
    browser.get("/s/bench")
    browser.post("/s/bench", answers(_next()))


PEER_VALUES = {
    "very_common": "very-common-problem", "somewhat_common": "somewhat-common-problem",
    "rare": "rare-problem", "not_a_problem": "not-a-problem",
}  # fmt: skip


def peer(browser: Browser) -> None:
    given = answers(_next())
    form = {f"question_{i}": PEER_VALUES[given[f"problems-{item}"]] for i, item in
            enumerate(ITEMS, 1)}  # fmt: skip
    form |= {"question_11": "50-to-499-employees", "question_12": "europe",
             "question_13": given["comments"]}  # fmt: skip
    browser.get("/survey/1/")
    browser.post("/survey/1/", {**browser.hidden("csrfmiddlewaretoken"), **form})


def peer_python(fresh_dir: Path | None) -> str:
    """The peer's own virtual environment: cached in bench/.peer-venv, or fresh in fresh_dir."""
    where = fresh_dir / "peer-venv" if fresh_dir else PEER_VENV
    python = where / "bin" / "python"
    if not python.exists():
        print(f"installing {' '.join(PEER_PACKAGES)} into {where} ...", flush=True)
        venv.create(where, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES],
                       check=True, timeout=900)  # fmt: skip
    return str(python)


def all_targets(tmp: Path, peer_py: str, postgres: list[str] | None = None) -> list[Target]:
    """Every target; with the URLs of two PostgreSQL databases, surveyapp on them too (one
    instance, and two instances sharing one database)."""
    instance = tmp / "instance"
    (instance / "surveys").mkdir(parents=True)
    shutil.copy(BENCH / "like_for_like.yaml", instance / "surveys" / "bench.yaml")
    # Every virtual respondent comes from 127.0.0.1: 1,000 a second is never reached, yet
    # each submission is still counted (up to the limit), as in production.
    app_env = {"SURVEYAPP_INSTANCE": str(instance), "SURVEYAPP_SECRET_KEY": "bench-secret",
               "SURVEYAPP_SUBMISSIONS_PER_ADDRESS": "1000",
               "SURVEYAPP_SUBMISSION_WINDOW_SECONDS": "1",
               "SURVEYAPP_DRAFTS_PER_ADDRESS": "1000"}  # fmt: skip
    init_app = [sys.executable, "-m", "surveyapp", "init-db"]
    peer_dir = BENCH / "peer"

    def peer_target(name: str, wal: str) -> Target:
        env = {"PEER_DB": str(tmp / f"{name}.db"), "PEER_WAL": wal,
               "DJANGO_SETTINGS_MODULE": "peer_settings"}  # fmt: skip
        return Target(name, "peer_wsgi:application", peer, peer_py, peer_dir, env,
                      [[peer_py, "setup_peer.py"]])  # fmt: skip

    on_postgres = [
        Target(name, "surveyapp:create_app()", surveyapp_bench, prepare=[init_app],
               env=app_env | {"SURVEYAPP_DATABASE_URL": url, "SURVEYAPP_AUDIT_KEY": "bench"},
               instances=instances)
        for name, url, instances in zip(POSTGRES_TARGETS, postgres or [], (1, 2), strict=False)
    ]  # fmt: skip
    return on_postgres + [
        Target(
            "surveyapp", "surveyapp:create_app()", surveyapp_bench, env=app_env, prepare=[init_app]
        ),  # fmt: skip
        Target(
            "surveyapp cmo (3-page walk)",
            "surveyapp:create_app()",
            surveyapp_cmo,
            env=app_env,
            prepare=[init_app],
        ),  # fmt: skip
        Target(
            "bare stack",
            "app:create_app()",
            baseline,
            cwd=BENCH / "baseline",
            env={"BASELINE_DB": str(tmp / "baseline.db")},
        ),  # fmt: skip
        peer_target("peer", "0"),
        peer_target("peer WAL", "1"),
    ]
