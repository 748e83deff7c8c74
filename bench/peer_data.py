"""The peer's side of the data-scale section: its results CSV at 10k and 100k responses."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SIZES = [10_000, 100_000]
BUDGET_S = 900  # a size is skipped when the last one's CSV time, scaled up, exceeds this


def peer_rows(peer_py: str, tmp: Path, max_responses: int) -> list[dict]:
    env = {**os.environ, "PEER_DB": str(tmp / "peer-data.db"), "PEER_WAL": "1",
           "PEER_CSV_DIR": str(tmp / "peer-csv"),
           "DJANGO_SETTINGS_MODULE": "peer_settings"}  # fmt: skip
    (tmp / "peer-csv").mkdir(exist_ok=True)
    cwd = BENCH / "peer"
    subprocess.run([peer_py, "setup_peer.py"], cwd=cwd, env=env, check=True, timeout=300,
                   capture_output=True)  # fmt: skip
    rows = []
    for size in [s for s in SIZES if s <= max_responses]:
        if rows and rows[-1]["csv_s"] * size / rows[-1]["responses"] > BUDGET_S:
            print(
                f"  peer {size:>9,}: skipped (the CSV took {rows[-1]['csv_s']:.0f} s at"
                f" {rows[-1]['responses']:,}; about {size // rows[-1]['responses']}x that here)"
            )
            rows.append({"responses": size, "skipped": True})
            continue
        out = subprocess.run([peer_py, "peer_data.py", str(size)], cwd=cwd, env=env, check=True,
                             timeout=3600, capture_output=True, text=True)  # fmt: skip
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"  peer {size:>9,}: CSV export {r['csv_s']:.1f} s ({size / r['csv_s']:,.0f} rows/s),"
              f" results download {r['results_ms']:.0f} ms (filled in {r['fill_s']:.0f} s)",
              flush=True)  # fmt: skip
    return rows
