"""Side-by-side benchmark: surveyapp, the bare Flask + SQLite stack and the peer.

    .venv/bin/python bench/compare.py            # full run (about 25 minutes)
    .venv/bin/python bench/compare.py --quick    # smoke run (about 2 minutes)
    .venv/bin/python bench/compare.py --only data --max-responses 100000
    .venv/bin/python bench/compare.py --only throughput --postgres \
        --targets surveyapp "surveyapp PostgreSQL" "surveyapp PostgreSQL x2"

Every target runs under gunicorn with the same settings on 127.0.0.1; the same
closed-loop load (1, 4, 16 virtual respondents, a fixed time each) is applied
to each target in turn, interleaved and repeated. One completed response is a
GET of the form plus the POST that stores it (a whole walk for the 3-page cmo).
Prints the table and writes bench/results/compare.json. With --postgres (or naming them
in --targets) surveyapp also runs on a throw-away PostgreSQL (bench/postgres.py): one
instance, and two instances on one database (virtual respondents alternate between them);
the ratios then include PostgreSQL / SQLite.

Sections: `--only throughput` (this file) and `--only data` (stored-data scale at
10k / 100k / 1M responses: tallies, exports, import, verify-tallies, and the peer's
CSV export and results page; bench/data_scale.py, bench/peer_data.py). A full run
does both; `--max-responses 100000` stops the data section at 100,000.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # bench.postgres

import data_scale  # noqa: E402
import peer_data  # noqa: E402
from loadgen import percentile, run  # noqa: E402
from targets import BENCH, POSTGRES_TARGETS, all_targets, peer_python  # noqa: E402

RESULTS = BENCH / "results"
SECTIONS = {"throughput": "throughput_section", "data": "data_section"}


def machine() -> dict:
    def first(command: str) -> str:
        out = subprocess.run(command, shell=True, capture_output=True, text=True)  # noqa: S602
        return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "?"

    from sqlite_utils.utils import sqlite3

    return {
        "nproc": first("nproc"),
        "cpu": first("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
        "memory": first("free -h | awk '/Mem:/ {print $2}'"),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def throughput_section(args: argparse.Namespace, tmp: Path) -> dict:
    wanted = set(args.targets or [])
    postgres = args.postgres or bool(wanted & set(POSTGRES_TARGETS))
    with contextlib.ExitStack() as stack:
        urls = None
        if postgres:
            from bench.postgres import Postgres

            cluster = stack.enter_context(Postgres())
            urls = [cluster.database(f"compare{n}") for n in range(len(POSTGRES_TARGETS))]
        peers = not wanted or bool(wanted & {"peer", "peer WAL"})
        peer_py = peer_python(tmp if args.fresh_peer else None) if peers else sys.executable
        targets = [t for t in all_targets(tmp, peer_py, urls) if not wanted or t.name in wanted]
        return measure(args, tmp, targets)


def measure(args: argparse.Namespace, tmp: Path, targets: list) -> dict:
    samples: dict[tuple[str, int], list] = {}
    try:
        for target in targets:
            target.start(args.workers, args.threads, tmp / f"{target.name}.log")
            warm = run(target.ports, target.walk, 4, args.warmup)
            if warm.errors or not warm.completed:
                raise RuntimeError(f"{target.name} warm-up failed: {warm.first_error}")
        for repeat in range(args.repeats):
            for level in args.levels:
                order = targets if repeat % 2 == 0 else targets[::-1]
                for target in order:
                    cpu = target.cpu_seconds()
                    result = run(target.ports, target.walk, level, args.seconds)
                    result.server_cpu = target.cpu_seconds() - cpu
                    samples.setdefault((target.name, level), []).append(result)
                    rate = result.completed / result.seconds
                    print(f"  run {repeat + 1}/{args.repeats} c={level:<2} {target.name:<28}"
                          f" {rate:8.1f}/s errors={result.errors} {result.first_error[:80]}",
                          flush=True)  # fmt: skip
    finally:
        for target in targets:
            target.stop()
    rows = []
    for (name, level), results in samples.items():
        latencies = [ms for r in results for ms in r.latencies_ms]
        rows.append({
            "target": name, "concurrency": level,
            "per_second": statistics.median(r.completed / r.seconds for r in results),
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "p99_ms": percentile(latencies, 99),
            "server_cpu_ms": 1000 * sum(r.server_cpu for r in results)
            / max(1, sum(r.completed for r in results)),
            "completed": sum(r.completed for r in results),
            "errors": sum(r.errors for r in results),
        })  # fmt: skip
    return {"rows": rows, "ratios": ratios(rows), "settings": {
        "workers": args.workers, "threads": args.threads, "seconds": args.seconds,
        "repeats": args.repeats, "levels": args.levels,
    }}  # fmt: skip


def ratios(rows: list[dict]) -> list[dict]:
    """Throughput ratios, and server CPU per response ratios (less sensitive to a busy machine)."""
    rate = {(r["target"], r["concurrency"]): r["per_second"] for r in rows}
    cpu = {(r["target"], r["concurrency"]): r["server_cpu_ms"] for r in rows}
    out = []
    for level in sorted({r["concurrency"] for r in rows}):
        ours = rate.get(("surveyapp", level))
        entry = {"concurrency": level}
        for other in ("bare stack", "peer", "peer WAL"):
            if ours and rate.get((other, level)):
                entry[f"surveyapp / {other}"] = ours / rate[(other, level)]
                entry[f"cpu: {other} / surveyapp"] = cpu[(other, level)] / cpu[("surveyapp", level)]
        for other, short in zip(POSTGRES_TARGETS, ("PostgreSQL", "PostgreSQL x2"), strict=True):
            if ours and rate.get((other, level)):
                entry[f"{short} / SQLite"] = rate[(other, level)] / ours
                entry[f"app cpu: {short} / SQLite"] = (
                    cpu[(other, level)] / cpu[("surveyapp", level)]
                )
        out.append(entry)
    return out


def data_section(args: argparse.Namespace, tmp: Path) -> dict:
    print(f"data section: up to {args.max_responses:,} stored responses", flush=True)
    section = data_scale.data_rows(tmp, args.max_responses)
    if not args.no_peer:
        peer_py = peer_python(tmp if args.fresh_peer else None)
        section["peer"] = peer_data.peer_rows(peer_py, tmp, args.max_responses)
    return section


def print_throughput(section: dict) -> None:
    print(f"\n{'target':<28} {'c':>3} {'resp/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
          f" {'cpu ms':>7} {'errors':>6}")  # fmt: skip
    for r in sorted(section["rows"], key=lambda r: (r["concurrency"], r["target"])):
        print(f"{r['target']:<28} {r['concurrency']:>3} {r['per_second']:>9.1f} {r['p50_ms']:>8.1f}"
              f" {r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['server_cpu_ms']:>7.2f}"
              f" {r['errors']:>6}")  # fmt: skip
    print()
    for entry in section["ratios"]:
        parts = [f"{k} = {v:.2f}x" for k, v in entry.items() if k != "concurrency"]
        if not parts:
            continue
        print(f"c={entry['concurrency']:<3} " + "   ".join(parts[0::2]))
        print("      " + "   ".join(parts[1::2]))


def markdown(report: dict) -> str:
    """The throughput table as Markdown, for docs/benchmarks.md."""
    section = report["throughput"]
    lines = ["| target | concurrency | responses/s | p50 ms | p95 ms | p99 ms | server CPU ms"
             " per response | errors |", "|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in sorted(section["rows"], key=lambda r: (r["concurrency"], r["target"])):
        lines.append(f"| {r['target']} | {r['concurrency']} | {r['per_second']:.1f} |"
                     f" {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} |"
                     f" {r['server_cpu_ms']:.2f} | {r['errors']} |")  # fmt: skip
    names = [k for k in section["ratios"][0] if k != "concurrency"]
    lines += ["", "| concurrency | " + " | ".join(names) + " |", "|---:|" + "---:|" * len(names)]
    for entry in section["ratios"]:
        values = [f"{v:.2f}x" for k, v in entry.items() if k != "concurrency"]
        lines.append(f"| {entry['concurrency']} | " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="about one minute: 1 repeat, 3 s")
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--max-responses",
        type=int,
        default=1_000_000,
        help="data section: largest stored-response count (10k, 100k, 1M)",
    )
    parser.add_argument("--no-peer", action="store_true", help="data section: skip the peer")
    parser.add_argument("--targets", nargs="+", help="measure only these targets (by name)")
    parser.add_argument(
        "--postgres", action="store_true", help="add surveyapp on PostgreSQL (1 and 2 instances)"
    )
    parser.add_argument(
        "--fresh-peer",
        action="store_true",
        help="install the peer into a temporary venv instead of bench/.peer-venv",
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.repeats = 3.0, 1
        args.max_responses = min(args.max_responses, 10_000)
    args.warmup = min(2.0, args.seconds)
    report = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with tempfile.TemporaryDirectory(prefix="surveyapp-bench-") as name:
        for section in args.only or ["throughput", "data"]:
            report[section] = globals()[SECTIONS[section]](args, Path(name))
    if "throughput" in report:
        print_throughput(report["throughput"])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "compare.json").write_text(json.dumps(report, indent=2))
    if "data" in report:
        print("\n" + data_scale.markdown(report["data"]))
        (RESULTS / "data.md").write_text(data_scale.markdown(report["data"]))
    if "throughput" in report:
        (RESULTS / "compare.md").write_text(markdown(report))
    print(f"\nmachine: {report['machine']}\nwrote {RESULTS / 'compare.json'}")


if __name__ == "__main__":
    main()
