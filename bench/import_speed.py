"""Import speed: check and insert N generated cmo rows (CSV), printing rows per second.

.venv/bin/python bench/import_speed.py [ROWS]
"""

import csv
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from surveyapp import SHIPPED_SURVEYS, store
from surveyapp.exchange.importer import check_file, import_file
from surveyapp.questionnaire.loader import definition_files, field_names, load_all
from surveyapp.store import schema

SCALE = ["very_common", "somewhat_common", "rare", "not_a_problem"]


def generate(rows: int) -> bytes:
    catalog = load_all(definition_files(SHIPPED_SURVEYS))
    fields = field_names(catalog["cmo"][2012])
    rng = random.Random(1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["response_id", "submitted_at", *fields])
    for number in range(rows):
        values = {"manufactures_for_clients": "yes",  # "no" screens the respondent out
                  "company_size": rng.choice(["small", "medium", "large"]),
                  "region": rng.choice(["europe", "asia", "other", "north_america"]),
                  "comments": ""}  # fmt: skip
        cells = [values.get(f) or rng.choice(SCALE) for f in fields]
        writer.writerow([f"bench-{number}", "2012-05-01T10:00:00Z", *cells])
    return out.getvalue().encode()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    data = generate(rows)
    catalog = load_all(definition_files(SHIPPED_SURVEYS))
    start = time.perf_counter()
    checked, errors, _ = check_file(catalog, "cmo", 2012, data, "csv", "bench.csv")
    check_seconds = time.perf_counter() - start
    assert not errors and len(checked) == rows, errors[:3]
    with tempfile.TemporaryDirectory() as folder:
        db = store.connect(Path(folder) / "bench.db", create=True)
        schema.init_db(db)
        start = time.perf_counter()
        result = import_file(db, catalog, "cmo", 2012, data, "csv", name="bench.csv")
        total_seconds = time.perf_counter() - start
        db.close()
    assert result.created == rows
    print(f"rows: {rows}, file: {len(data) / 1e6:.1f} MB")
    print(f"parse + check: {check_seconds:.2f} s = {rows / check_seconds:,.0f} rows/s")
    print(f"whole import (check + one transaction): {total_seconds:.2f} s"
          f" = {rows / total_seconds:,.0f} rows/s")  # fmt: skip


if __name__ == "__main__":
    main()
