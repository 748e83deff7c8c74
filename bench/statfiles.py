"""Benchmark: SPSS (.sav) and Stata (.dta) exports of 100,000 stored responses, and the
weighted tallies.

    .venv/bin/python bench/statfiles.py [--responses 100000] [--keep DIR]
    .venv/bin/python bench/statfiles.py export FORMAT DATABASE [--weighted]   # one export

Fills a temporary database through db.insert_many (bench/tallies_export.fill: cmo
responses, 30% with a comment). Each export runs in a child process that streams the whole
file to nowhere: rows per wall second and per CPU second (the machine is shared, CPU time
is far less sensitive to other jobs), and the child's peak RSS: its own high-water mark
(VmHWM from /proc, reset at exec) and resource.getrusage(RUSAGE_CHILDREN).ru_maxrss, which
also counts pages shared with this process when the child was forked. A bare child (the
app created, polars and pyreadstat imported, nothing exported) gives the floor. Then, with
targets for company size and region, the weighted exports and tallies.json: the first
request (weights and per-cell counts computed from every response) and the median of the
next ones (brought up to date incrementally). Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

TARGETS = {
    "company_size": {"small": "0.5", "medium": "0.3", "large": "0.2"},
    "region": {"north_america": "0.35", "europe": "0.35", "asia": "0.2", "other": "0.1"},
}


def _app(database: Path):
    from surveyapp import create_app

    return create_app(
        {"TESTING": True, "SECRET_KEY": "bench", "DATABASE": str(database)}, init_db=True
    )


def child(fmt: str, database: str, weighted: bool) -> None:
    """Child side: stream one export to nowhere (or, for "bare", nothing); print JSON."""
    import polars  # noqa: F401 - the floor includes what the writers import
    import pyreadstat  # noqa: F401

    from surveyapp import store
    from surveyapp.exchange import export
    from surveyapp.figures import weighted_views

    app = _app(Path(database))
    editions = app.extensions["surveys"]["cmo"]
    db = store.connect(database)
    rows = db.execute("SELECT count(*) FROM responses WHERE survey = 'cmo'").fetchone()[0]
    cpu, begin = time.process_time(), time.perf_counter()
    size = 0
    if fmt != "bare":
        weights = weighted_views.weigher(db, editions) if weighted else None
        for chunk in export.STREAMS[fmt](db, "cmo", editions, weights=weights):
            size += len(chunk.encode() if isinstance(chunk, str) else chunk)
    seconds, cpu = time.perf_counter() - begin, time.process_time() - cpu
    status = Path("/proc/self/status").read_text()
    hwm = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"rows": rows, "vm_hwm_mib": int(hwm.split()[1]) / 1024,
                      "seconds": seconds, "cpu_seconds": cpu, "mib": size / 2**20}))  # fmt: skip


def run_child(fmt: str, database: Path, weighted: bool = False) -> dict:
    command = [sys.executable, str(BENCH / "statfiles.py"), "export", fmt, str(database)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(command + (["--weighted"] if weighted else []), check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    figures = json.loads(out)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # RUSAGE_CHILDREN keeps the largest child so far: a smaller child leaves it unchanged
    figures["children_maxrss_mib"] = after / 1024 if after > before else None
    if fmt != "bare":
        figures["rows_per_s"] = figures["rows"] / figures["seconds"]
        figures["rows_per_cpu_s"] = figures["rows"] / figures["cpu_seconds"]
    return figures


def line(name: str, f: dict) -> str:
    rss = f"peak RSS {f['vm_hwm_mib']:.0f} MiB (VmHWM)"
    if f.get("children_maxrss_mib"):
        rss += f", {f['children_maxrss_mib']:.0f} MiB (RUSAGE_CHILDREN)"
    if "rows_per_s" not in f:
        return f"{name:<14} {rss}"
    return (f"{name:<14} {f['rows']:,} rows in {f['seconds']:.2f} s: {f['rows_per_s']:,.0f} rows/s"
            f" ({f['rows_per_cpu_s']:,.0f} per CPU s), {f['mib']:.1f} MiB, {rss}")  # fmt: skip


def weighted_tallies(app) -> dict:
    from tests.adminkit import admin_client

    client = admin_client(app)
    begin = time.perf_counter()
    first = client.get("/admin/surveys/cmo/tallies.json")
    first_ms = 1000 * (time.perf_counter() - begin)
    assert first.json["weighting"]["problem"] is None
    times = []
    for _ in range(9):
        begin = time.perf_counter()
        client.get("/admin/surveys/cmo/tallies.json")
        times.append(1000 * (time.perf_counter() - begin))
    return {"first_ms": first_ms, "median_ms": statistics.median(times),
            "n_eff": first.json["weighting"]["n_eff"]}  # fmt: skip


def main(responses: int, keep: str | None) -> None:
    from surveyapp import store

    folder = Path(keep or tempfile.mkdtemp(prefix="statfiles-bench-"))
    try:
        measure(folder / "bench.db", responses)
    finally:
        store.close_thread_connections()
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def measure(database: Path, responses: int) -> None:
    from tallies_export import fill

    from surveyapp import store
    from surveyapp.store import weights as store_weights

    app = _app(database)
    begin = time.perf_counter()
    fill(app, responses)
    print(f"filled {responses:,} responses in {time.perf_counter() - begin:.1f} s", flush=True)
    print(line("bare child", run_child("bare", database)), flush=True)
    for fmt in ("csv", "sav", "dta"):
        print(line(fmt, run_child(fmt, database)), flush=True)
    db = store.thread_connection(str(database))
    for field, shares in TARGETS.items():
        store_weights.set_targets(db, "cmo", 2012, field, shares, "bench")
    for fmt in ("sav", "dta"):
        print(line(f"{fmt} weighted", run_child(fmt, database, weighted=True)), flush=True)
    figures = weighted_tallies(app)
    print(f"weighted tallies.json: first {figures['first_ms']:.0f} ms, then median "
          f"{figures['median_ms']:.1f} ms (n_eff {figures['n_eff']:,})")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["export"]:
        child(sys.argv[2], sys.argv[3], "--weighted" in sys.argv[4:])
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--keep", help="folder for the database (kept afterwards)")
    args = parser.parse_args()
    main(args.responses, args.keep)
