"""Data-scale figures for compare.py: surveyapp at 10k / 100k / 1M stored cmo responses.

    .venv/bin/python bench/compare.py --only data [--max-responses 100000]
    .venv/bin/python bench/data_scale.py export FORMAT DATABASE   # one export (run by the above)

The database is filled through db.insert_many (the storage write path: answers and
counters included). At each size: the tallies page and tallies.json (logged-in test
client, median of several requests), full CSV, JSON Lines and XLSX exports (each in
its own process: rows/s, time to the first chunk, and the process's peak RSS, its
own VmHWM; os.wait4's ru_maxrss is kept too), and verify-tallies. Then an import of 100,000
rows into a fresh database. Wall seconds and CPU seconds are both kept: the machine
is shared, and CPU time is far less sensitive to other jobs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))  # tests.adminkit (log-in helper)

SIZES = [10_000, 100_000, 1_000_000]
IMPORT_ROWS = 100_000
REQUESTS = 9
FORMATS = ["csv", "jsonl", "xlsx"]


def _app(database: Path):
    from surveyapp import create_app

    return create_app(
        {"TESTING": True, "SECRET_KEY": "bench", "DATABASE": str(database)}, init_db=True
    )


def _median_ms(client, url: str) -> float:
    times = []
    for _ in range(REQUESTS):
        begin = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - begin)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return 1000 * statistics.median(times)


def run_export(fmt: str, database: Path) -> dict:
    """Run one full export in a child process; its figures plus its peak RSS."""
    command = [sys.executable, str(BENCH / "data_scale.py"), "export", fmt, str(database)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"export {fmt} failed ({process.returncode})")
    figures = json.loads(out)
    # ru_maxrss of a child also counts the pages it shared with this process at fork,
    # so the child's own high-water mark (VmHWM, reset at exec) is the peak we report.
    figures["rusage_maxrss_mib"] = usage.ru_maxrss / 1024
    figures["peak_rss_mib"] = figures["vm_hwm_mib"]
    return figures


def export_child(fmt: str, database: str) -> None:
    """Child side: stream the whole export to nowhere, counting bytes; print JSON."""
    from surveyapp import store
    from surveyapp.exchange import export

    app = _app(Path(database))
    editions = app.extensions["surveys"]["cmo"]
    db = store.connect(database)
    rows = db.execute("SELECT count(*) FROM responses WHERE survey = 'cmo'").fetchone()[0]
    cpu, begin = time.process_time(), time.perf_counter()
    first, size = None, 0
    for chunk in export.STREAMS[fmt](db, "cmo", editions):
        if first is None:
            first = time.perf_counter() - begin
        size += len(chunk.encode() if isinstance(chunk, str) else chunk)
    seconds, cpu = time.perf_counter() - begin, time.process_time() - cpu
    status = Path("/proc/self/status").read_text()
    hwm = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"rows": rows, "vm_hwm_mib": int(hwm.split()[1]) / 1024,
                      "seconds": seconds, "cpu_seconds": cpu,
                      "rows_per_s": rows / seconds, "rows_per_cpu_s": rows / cpu,
                      "first_chunk_ms": 1000 * (first or 0), "mib": size / 2**20}))  # fmt: skip


def measure_size(app, client, database: Path, count: int) -> dict:
    from surveyapp import store
    from surveyapp.figures import tallies

    row: dict = {"responses": count}
    row["tallies_page_ms"] = _median_ms(client, "/admin/surveys/cmo")
    row["tallies_json_ms"] = _median_ms(client, "/admin/surveys/cmo/tallies.json")
    for fmt in FORMATS:
        row[fmt] = run_export(fmt, database)
    db = store.connect(database)
    begin = time.perf_counter()
    problems = tallies.verify_tallies(db, app.extensions["surveys"])
    row["verify_tallies_s"] = time.perf_counter() - begin
    row["verify_tallies_differences"] = len(problems)
    db.close()
    return row


def measure_import(tmp: Path, rows: int = IMPORT_ROWS) -> dict:
    from import_speed import generate

    from surveyapp import SHIPPED_SURVEYS, store
    from surveyapp.exchange.importer import import_file
    from surveyapp.questionnaire.loader import definition_files, load_all
    from surveyapp.store import schema

    data = generate(rows)
    catalog = load_all(definition_files(SHIPPED_SURVEYS))
    db = store.connect(tmp / "import.db", create=True)
    schema.init_db(db)
    cpu, begin = time.process_time(), time.perf_counter()
    result = import_file(db, catalog, "cmo", 2012, data, "csv", name="bench.csv")
    seconds, cpu = time.perf_counter() - begin, time.process_time() - cpu
    db.close()
    if result.errors or result.created != rows:
        raise RuntimeError(f"import failed: {result.errors[:3]}")
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds,
            "rows_per_cpu_s": rows / cpu}  # fmt: skip


def data_rows(tmp: Path, max_responses: int) -> dict:
    from tallies_export import fill

    from tests.adminkit import admin_client

    database = tmp / "data.db"
    app = _app(database)
    client = admin_client(app)
    rows, stored = [], 0
    for size in [s for s in SIZES if s <= max_responses]:
        begin = time.perf_counter()
        fill(app, size - stored, seed=size)
        print(f"  filled {size:,} responses (+{size - stored:,} in"
              f" {time.perf_counter() - begin:.1f} s)", flush=True)  # fmt: skip
        stored = size
        rows.append(measure_size(app, client, database, size))
        print("  " + summary(rows[-1]), flush=True)
    return {"rows": rows, "import": measure_import(tmp)}


def summary(row: dict) -> str:
    exports = "  ".join(
        f"{fmt} {row[fmt]['rows_per_s']:,.0f} rows/s {row[fmt]['peak_rss_mib']:.0f} MiB"
        for fmt in FORMATS
    )
    return (
        f"{row['responses']:>9,}: page {row['tallies_page_ms']:.1f} ms, json"
        f" {row['tallies_json_ms']:.1f} ms, {exports}, verify {row['verify_tallies_s']:.1f} s"
    )


def markdown(section: dict) -> str:
    lines = [
        "| responses | tallies page ms | tallies.json ms | CSV rows/s (per CPU s) | CSV peak MiB"
        " | JSONL rows/s (per CPU s) | JSONL peak MiB | XLSX rows/s (per CPU s) | XLSX first"
        " byte ms | XLSX peak MiB | verify-tallies s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in section["rows"]:
        cells = [f"{r['responses']:,}", f"{r['tallies_page_ms']:.1f}"]
        cells.append(f"{r['tallies_json_ms']:.1f}")
        for fmt in FORMATS:
            e = r[fmt]
            cells.append(f"{e['rows_per_s']:,.0f} ({e['rows_per_cpu_s']:,.0f})")
            if fmt == "xlsx":
                cells.append(f"{e['first_chunk_ms']:.0f}")
            cells.append(f"{e['peak_rss_mib']:.0f}")
        cells.append(f"{r['verify_tallies_s']:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    imp = section["import"]
    lines.append(
        f"\nImport of {imp['rows']:,} CSV rows with full validation into a fresh database:"
        f" {imp['rows_per_s']:,.0f} rows/s ({imp['rows_per_cpu_s']:,.0f} per CPU second)."
    )
    for peer in section.get("peer", []):
        if peer.get("skipped"):
            lines.append(f"\nPeer at {peer['responses']:,} responses: skipped (time bound).")
            continue
        lines.append(f"\nPeer at {peer['responses']:,} responses: CSV export {peer['csv_s']:.1f} s"
                     f" ({peer['responses'] / peer['csv_s']:,.0f} rows/s), results page"
                     f" {peer['results_ms']:.0f} ms (cached file served again).")  # fmt: skip
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["export"]:
        export_child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
