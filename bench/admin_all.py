"""Benchmark: every admin GET page and JSON document (and the API's reads) at 100,000
responses, against the 200 ms goal.

    PYTHONPATH=$PWD .venv/bin/python bench/admin_all.py [--responses 100000] [--repeat 5]

Fills a temporary database as bench/admin_pages.py does (cmo 2012 and study 2021, each
`--responses` over the past 30 days, through store.insert_many), then times each page
through logged-in test clients: the first request, then `--repeat` "fresh" ones, each
after one more response was stored (so no figure cached by the change mark is reused, as
on a live questionnaire), then as many "warm" ones. CPU is this process's plus its read
processes' (heavy reads run there), in milliseconds. Prints median and p95 per page and
flags each whose fresh median passes 200 ms or that answered other than 200 (a heavy
read over its budget answers 503).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from admin_pages import client_for, fill_study  # noqa: E402
from tallies_export import fill  # noqa: E402

from bench import options  # noqa: E402
from surveyapp import SHIPPED_SURVEYS, create_app, store  # noqa: E402
from surveyapp.questionnaire.answers import counted_fields  # noqa: E402
from tests.apikit import bearer, token  # noqa: E402
from tests.test_results import STUDY  # noqa: E402

GOAL_MS = 200.0
HALF = (datetime.now(UTC) - timedelta(days=15)).strftime("%Y-%m-%d")
WEEK = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S")
RECENT = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT12:30:00")
S = "/admin/surveys/cmo"
API = "/api/v1/questionnaires/cmo"


def pages() -> tuple[tuple[str, str, str], ...]:
    """(label, url, who) of every request, from admin_all_pages.tsv; who is "admin",
    "viewer", "both" or "api"."""
    values = {"S": S, "API": API, "HALF": HALF, "WEEK": WEEK, "RECENT": RECENT}
    rows = []
    for line in (ROOT / "bench" / "admin_all_pages.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            label, url, who = line.split("\t")
            rows.append((label, url.format(**values), who))
    return tuple(rows)


PAGES = pages()


def _children(pid: int | str) -> list[str]:
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        return [c for task in tasks for c in (task / "children").read_text().split()]
    except OSError:
        return []


def cpu_seconds() -> float:
    """This process's CPU time and that of its live descendants (the fork server's read
    processes, where heavy reads run)."""
    total, tick = time.process_time(), os.sysconf("SC_CLK_TCK")
    waiting = _children(os.getpid())
    while waiting:
        pid = waiting.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        waiting += _children(pid)
    return total


def one(client, url: str, headers: dict) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    response = client.get(url, headers=headers)
    response.close()
    return 1000 * (time.perf_counter() - wall), 1000 * (cpu_seconds() - cpu), response.status_code


class Feeder:
    """Stores one more cmo response (now), so the next request sees a changed database."""

    def __init__(self, app) -> None:
        self.db = store.thread_connection(app.config["DATABASE"])
        self.definition = app.extensions["surveys"]["cmo"][2012]
        self.counted = counted_fields(self.definition)

    def __call__(self) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        answers = {"company_size": "small", "region": "europe"}
        store.insert_many(self.db, [{
            "survey": "cmo", "edition": 2012, "version": self.definition.version,
            "answers": answers, "counted": self.counted, "submitted_at": now,
        }])  # fmt: skip


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(client, url: str, headers: dict, feed: Feeder, repeat: int) -> dict[str, float]:
    first, _cpu, status = one(client, url, headers)
    statuses = {status}
    fresh, fresh_cpu, warm = [], [], []
    for _ in range(repeat):
        feed()
        wall, cpu, status = one(client, url, headers)
        fresh.append(wall)
        fresh_cpu.append(cpu)
        statuses.add(status)
    for _ in range(repeat):
        wall, _cpu, status = one(client, url, headers)
        warm.append(wall)
        statuses.add(status)
    return {"first": first, "median": statistics.median(fresh), "p95": p95(fresh),
            "cpu": statistics.median(fresh_cpu), "warm": statistics.median(warm),
            "statuses": statuses - {200}}  # fmt: skip


def clients(app) -> dict:
    found = {"admin": (client_for(app, "ada", "admin"), {}),
             "viewer": (client_for(app, "vic", "viewer"), {})}  # fmt: skip
    found["api"] = (app.test_client(), bearer(token(app, "ada", "read")))
    return found


def main() -> None:
    table = (("--responses", int, 100_000), ("--repeat", int, 5),
             ("--nice", int, 19, "HEAVY_READS_NICE: 0 keeps a loaded machine's other"
              " processes from stretching the heavy reads' wall time"))  # fmt: skip
    args = options.parse(None, table)
    folder = tempfile.mkdtemp(prefix="surveyapp-bench-")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": f"{folder}/bench.db",
                      "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS), str(STUDY)],
                      "HEAVY_READS_NICE": args.nice}, init_db=True)  # fmt: skip
    users = clients(app)
    begin = time.perf_counter()
    fill(app, args.responses)
    fill_study(app, args.responses)
    db = store.thread_connection(app.config["DATABASE"])
    first_id = db.execute("SELECT response_id FROM responses ORDER BY id LIMIT 1").fetchone()[0]
    feed = Feeder(app)
    print(f"--- {args.responses:,} responses to cmo and to study (filled in"
          f" {time.perf_counter() - begin:.1f} s); ms: first request, then {args.repeat}"
          " fresh (one more response stored before each): median, p95, CPU median;"
          " then warm median")  # fmt: skip
    slow = []
    for label, url, who in PAGES:
        url = url.replace("@first", first_id)
        for role in ("admin", "viewer") if who == "both" else (who,):
            client, headers = users[role]
            got = measure(client, url, headers, feed, args.repeat)
            flag = "  OVER" if got["median"] > GOAL_MS else ""
            flag += f"  STATUS {sorted(got['statuses'])}" if got["statuses"] else ""
            print(f"{label:34} {role:6} first {got['first']:7.1f}  median {got['median']:7.1f}"
                  f"  p95 {got['p95']:7.1f}  CPU {got['cpu']:7.1f}  warm {got['warm']:7.1f}"
                  f"{flag}", flush=True)  # fmt: skip
            if flag:
                slow.append(f"{label} ({role})")
    print(f"over {GOAL_MS:.0f} ms (fresh median): {', '.join(slow) or 'none'}")


if __name__ == "__main__":
    main()
