"""Twenty parallel POSTs of one submission key against `surveyapp serve`:
exactly one row is stored, every other copy is told "already received", no 5xx.

    .venv/bin/python bench/double_submit.py [--copies 20]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scenarios import double_submit, rows_for_key  # noqa: E402
from bench.server import Server  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20)
    args = parser.parse_args()
    with Server() as server:
        result = double_submit(server.base, args.copies)
        rows = rows_for_key(server.database, result["key"])
    print(
        f"{args.copies} parallel submits of one key: {dict(result['results'])}; rows stored {rows}"
    )
    ok = rows == 1 and result["results"] == {"302 new": 1, "302 again": args.copies - 1}
    print("verdict", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
