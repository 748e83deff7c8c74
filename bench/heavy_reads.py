"""Heavy reads: respondent latency while 40 logged-in admins run the heaviest views.

    .venv/bin/python bench/heavy_reads.py [--responses 300000] [--seconds 30] [--readers 40]
        [--respondents 8] [--think 0.5] [--pause 1] [--workers 2] [--threads 16]
        [--budget SECONDS] [--cap N] [--nice N] [--apart N] [--rounds N] [--warmup SECONDS]
        [--keep DIR]

Fills a temporary database with `--responses` cmo responses (bench/tallies_export.py's
`fill`: the storage write path, counters included), serves it with `surveyapp serve`
(bench/server.py), warms it up (`--warmup` seconds of respondents while one admin asks for
each view twice, until answered: the first requests of each worker thread open
connections and compile templates, which no phase should count) and runs `--rounds`
rounds (default 1) of three phases of `--seconds` each, respondents walking cmo
(bench/harness.py, the bench/loadgen.py generator) in all three, so that on a shared
machine unloaded and loaded phases interleave:
1. unloaded: respondents alone;
2. loaded: `--readers` admins loop over trends.json with every segment code, the trends
   page, the report and compare pages and filtered tallies (each reader waits for its
   answer, then `--pause` seconds, then asks for the next view);
3. after: respondents again at once after the readers stopped asking (requests still
   running on the server keep running).
Prints each phase's respondent p50/p95/p99 over every respondent request, their
timeouts (no answer in 15 s), the loaded/unloaded p99 ratio, and what the readers got;
then the same ratio over every round's requests pooled (unloaded phases against loaded
ones: a p99 over a few hundred requests of one phase moves with the machine's other jobs).
`--budget`, `--cap`, `--nice` and `--apart` set ADMIN_READ_SECONDS, HEAVY_READS_PER_WORKER,
HEAVY_READS_NICE and ADMIN_VIEWS_APART (in the server's instance/config.py); `--keep DIR`
keeps the filled database there and reuses it. The verdict needs the pooled ratio within
the target and no respondent timeout in any phase; each round's ratio is shown beside it.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import options  # noqa: E402
from bench.harness import NETWORK_ERRORS, Load, login, network_status  # noqa: E402
from bench.loadgen import FIGURES, Stats, percentile  # noqa: E402
from bench.server import Server  # noqa: E402
from surveyapp.questionnaire.model import Definition  # noqa: E402

RATIO_TARGET = 2.0
READ_TIMEOUT = 120  # seconds a reader waits for one view


def heavy_views(definition: Definition) -> list[tuple[str, str]]:
    """(label, path) of the heavy admin views over one questionnaire."""
    from surveyapp.web.admin.common import profile_questions

    profile = profile_questions(definition)
    every = "&".join(f"{q.id}={o.code}" for q in profile for o in q.options)
    one = "&".join(f"{q.id}={q.options[0].code}" for q in profile)
    base, edition = f"/admin/surveys/{definition.id}", definition.edition
    half = (datetime.now(UTC) - timedelta(days=15)).strftime("%Y-%m-%d")  # fill spans 30 days
    return [
        ("trends.json, every segment code", f"{base}/trends.json?{every}"),
        ("trends page", f"{base}/trends"),
        ("report page", f"/admin/report/{edition}"),
        ("compare page", f"/admin/compare/{edition}"),
        ("tallies page, segment", f"{base}?{one}"),
        ("tallies.json, time range", f"{base}/tallies.json?since={half}"),
    ]


def prepare(server: Server, args: argparse.Namespace) -> Definition:
    """Fill the server's database through the write path unless it exists, write the
    instance settings asked for; return the cmo definition."""
    instance = server.workdir / "instance"
    os.environ["SURVEYAPP_INSTANCE"] = str(instance)
    from bench.tallies_export import fill
    from surveyapp import SHIPPED_SURVEYS, create_app, store

    fresh = not server.database.exists()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": str(server.database),
                      "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS)]}, init_db=True)  # fmt: skip
    if fresh:
        begin = time.perf_counter()
        fill(app, args.responses)
        print(f"filled {args.responses:,} cmo responses in {time.perf_counter() - begin:.0f} s")
    store.close_thread_connections()
    settings = {"ADMIN_READ_SECONDS": args.budget, "HEAVY_READS_PER_WORKER": args.cap,
                "HEAVY_READS_NICE": args.nice, "ADMIN_VIEWS_APART": args.apart}  # fmt: skip
    (instance / "config.py").write_text(
        "".join(f"{key} = {value!r}\n" for key, value in settings.items() if value is not None)
    )
    return app.extensions["surveys"]["cmo"][2012]


def reader(base: str, session, views: list, stats: Stats, stop: threading.Event, pause: float):
    """One admin: ask for the heavy views in turn until stopped, each after the last answered;
    each view's latencies are kept per answer status ("trends page: 503")."""
    for number in range(10**9):
        if stop.is_set():
            return
        label, path = views[number % len(views)]
        start = time.perf_counter()
        try:
            status = session.get(base + path, timeout=READ_TIMEOUT).status_code
            stats.record(f"{label}: {status}", time.perf_counter() - start, status)
        except NETWORK_ERRORS as exc:
            stats.record(f"{label}: {network_status(exc)}", None, network_status(exc))
        stop.wait(pause)


def respondents(base: str, args: argparse.Namespace, seed: int, seconds: float = 0) -> Load:
    return Load(base, seconds or args.seconds, args.respondents, admins=0, think=args.think,
                seed=seed, surveys=("cmo",)).run()  # fmt: skip


def phase_row(name: str, load: Load) -> dict:
    """Pooled figures over every respondent request of one phase."""
    times = [t for values in load.stats.times.values() for t in values]
    row = {"phase": name, "walks": len(load.outcomes), "requests": len(times)}
    row |= {label: percentile(times, p) * 1000 for label, p in FIGURES}
    submits = load.stats.times.get("POST submit", [])
    row["submit p99"] = percentile(submits, 99) * 1000
    row["timeouts"] = load.stats.statuses["timeout"]
    row["errors"] = sum(load.stats.errors().values()) - row["timeouts"]
    return row


def loaded_phase(
    server: Server, args: argparse.Namespace, views: list, seed: int
) -> tuple[Load, Load, Stats]:
    """Respondents while the readers run, then respondents right after they stopped."""
    stats, logins, stop = Stats(), Stats(), threading.Event()
    sessions = [login(server.base, logins) for _ in range(args.readers)]
    if not all(sessions):
        raise SystemExit(f"admin login failed: {logins.statuses}")
    threads = [
        threading.Thread(target=reader, args=(server.base, session, views[n % len(views):]
                                              + views[: n % len(views)], stats, stop, args.pause))
        for n, session in enumerate(sessions)
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    time.sleep(1)  # every reader has a view on the server before respondents start
    loaded = respondents(server.base, args, seed=seed + 2)
    stop.set()
    after = respondents(server.base, args, seed=seed + 3)
    for thread in threads:
        thread.join(timeout=READ_TIMEOUT + 5)
    return loaded, after, stats


def print_phases(rows: list[dict]) -> None:
    print(f"\n{'respondents':<12}{'walks':>7}{'requests':>10}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}{'submit p99':>12}{'timeouts':>10}{'errors':>8}")  # fmt: skip
    for r in rows:
        print(f"{r['phase']:<12}{r['walks']:>7}{r['requests']:>10}{r['p50']:>9.1f}"
              f"{r['p95']:>9.1f}{r['p99']:>9.1f}{r['submit p99']:>12.1f}{r['timeouts']:>10}"
              f"{r['errors']:>8}")  # fmt: skip


def print_readers(stats: Stats) -> None:
    print(f"\n{'heavy view: answer':<40}{'n':>7}{'p50 ms':>9}{'p99 ms':>9}")
    for label, values in sorted(stats.times.items()):
        print(f"{label:<40}{len(values):>7}{percentile(values, 50) * 1000:>9.0f}"
              f"{percentile(values, 99) * 1000:>9.0f}")  # fmt: skip
    print(f"every reader request by status: {dict(stats.statuses)}")


def warm_up(server: Server, args: argparse.Namespace, views: list) -> None:
    """Respondents for `--warmup` seconds while one admin asks for each view twice (so that
    each worker has likely started what serves it), until both are done."""
    if args.warmup <= 0:
        return
    session, stats = login(server.base, Stats()), Stats()
    load = threading.Thread(target=respondents, args=(server.base, args, 1, args.warmup))
    load.start()
    for label, path in views + views:
        try:
            status = session.get(server.base + path, timeout=READ_TIMEOUT).status_code
        except NETWORK_ERRORS as exc:
            status = network_status(exc)
        stats.record(f"{label}: {status}", 0, status)
    load.join()
    print(f"warm-up: each view asked twice: {dict(stats.statuses)}", flush=True)


def times_of(load: Load) -> list[float]:
    return [t for values in load.stats.times.values() for t in values]


def ratio_of(unloaded: list[float], loaded: list[float]) -> float:
    """Loaded p99 / unloaded p99; infinite when no request was answered while loaded."""
    return percentile(loaded, 99) / percentile(unloaded, 99) if loaded else math.inf


def run_rounds(server: Server, args: argparse.Namespace, views: list) -> tuple[list, float]:
    """Every round's phases and readers printed; returns each round's p99 ratio and the
    ratio over every round's requests pooled (infinite when a respondent timed out)."""
    ratios, pooled, timeouts = [], {"unloaded": [], "loaded": []}, 0
    for number in range(1, args.rounds + 1):
        unloaded = respondents(server.base, args, seed=10 * number + 1)
        loaded, after, readers = loaded_phase(server, args, views, 10 * number)
        rows = [phase_row(n, p) for n, p in (("unloaded", unloaded), ("loaded", loaded),
                                             ("after", after))]  # fmt: skip
        print(f"\nround {number} of {args.rounds}")
        print_phases(rows)
        print_readers(readers)
        pooled["unloaded"] += times_of(unloaded)
        pooled["loaded"] += times_of(loaded)
        ratio, late = (
            ratio_of(times_of(unloaded), times_of(loaded)),
            sum(r["timeouts"] for r in rows),
        )
        print(f"round {number}: respondent p99 loaded / unloaded = {ratio:.2f}x;"
              f" respondent timeouts {late}", flush=True)  # fmt: skip
        ratios.append(math.inf if late else ratio)
        timeouts += late
    overall = ratio_of(pooled["unloaded"], pooled["loaded"])
    figures = {
        k: f"{percentile(v, 99) * 1000:.1f} ms ({len(v)} requests)" for k, v in pooled.items()
    }
    print(f"\nevery round pooled: respondent p99 unloaded {figures['unloaded']}, loaded"
          f" {figures['loaded']}: {overall:.2f}x; respondent timeouts {timeouts}")  # fmt: skip
    return ratios, math.inf if timeouts else overall


OPTIONS = (
    ("--responses", int, 300_000),
    ("--seconds", float, 30),
    ("--readers", int, 40),
    ("--respondents", int, 8),
    ("--think", float, 0.5, "mean seconds before a POST"),
    ("--pause", float, 1.0, "reader's seconds between views"),
    ("--workers", int, os.cpu_count() or 1),
    ("--threads", int, 16),
    ("--budget", float, None, "ADMIN_READ_SECONDS (default: the app's)"),
    ("--cap", int, None, "HEAVY_READS_PER_WORKER (default: the app's)"),
    ("--nice", int, None, "HEAVY_READS_NICE (default: the app's)"),
    ("--apart", int, None, "ADMIN_VIEWS_APART (default: the app's)"),
    ("--rounds", int, 1, "unloaded + loaded + after, repeated"),
    ("--warmup", float, 10, "seconds of respondents and each view once, not counted"),
    ("--keep", Path, None, "folder for the database, reused when filled"),
)


def main() -> int:
    args = options.parse(__doc__.splitlines()[0], OPTIONS)
    server = Server(args.keep, workers=args.workers, threads=args.threads)
    try:
        views = heavy_views(prepare(server, args))
        server.start()
        settings = (server.workdir / "instance" / "config.py").read_text().split("\n")
        settings = ", ".join(filter(None, settings)) or "defaults"
        print(f"server {server.base}: {server.workers} workers x {server.threads} threads;"
              f" {args.respondents} respondents, {args.readers} readers, pause {args.pause} s;"
              f" settings: {settings}", flush=True)  # fmt: skip
        warm_up(server, args, views)
        ratios, overall = run_rounds(server, args, views)
    finally:
        server.close()
    met = overall <= RATIO_TARGET
    shown = ", ".join("timeouts" if math.isinf(r) else f"{r:.2f}x" for r in ratios)
    pooled = "timeouts" if math.isinf(overall) else f"{overall:.2f}x"
    print(f"\nrespondent p99 loaded / unloaded per round: {shown}; every round pooled: {pooled}"
          f" (target <= {RATIO_TARGET:.0f}x, no timeout);"
          f" verdict {'PASS' if met else 'FAIL'}")  # fmt: skip
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
