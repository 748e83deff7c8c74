"""What the webhook outbox adds to a response's insert (the hot path): the enqueue
statement timed inside real insert_response transactions, with no endpoint, with one
endpoint subscribed and with three; and whole inserts with the outbox call removed,
for comparison (fsync makes those noisy: the timed statement is the figure).

    .venv/bin/python bench/outbox_cost.py [--responses 2000]

Target: at most 0.1 ms per response.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import answers_for  # noqa: E402
from surveyapp import SHIPPED_SURVEYS, create_app, store  # noqa: E402
from surveyapp.questionnaire.answers import counted_fields  # noqa: E402
from surveyapp.store import webhooks  # noqa: E402

TARGET_MS = 0.1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(db, definition, responses: int, enqueue) -> tuple[list[float], list[float]]:
    """(ms in the outbox call, ms for the whole insert) per response."""
    inside: list[float] = []
    original = webhooks.enqueue

    def timed(*args, **kwargs):
        start = time.perf_counter()
        enqueue(*args, **kwargs)
        inside.append((time.perf_counter() - start) * 1000)

    webhooks.enqueue = timed
    whole = []
    rng = random.Random(1)
    try:
        for _ in range(responses):
            answers = {k: v for page in answers_for(definition, rng) for k, v in page.items()}
            start = time.perf_counter()
            store.insert_response(
                db,
                survey="cmo",
                edition=definition.edition,
                version=definition.version,
                answers=answers,
                counted=counted_fields(definition),
            )
            whole.append((time.perf_counter() - start) * 1000)
    finally:
        webhooks.enqueue = original
    return inside, whole


def measure(folder: str, responses: int) -> tuple[dict, int, str]:
    """({case: (outbox ms, insert ms)}, outbox rows written, SQLite version)."""
    settings = {"SECRET_KEY": "bench", "DATABASE": f"{folder}/o.db",
                "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS)]}  # fmt: skip
    app = create_app(settings, init_db=True)
    db = store.thread_connection(app.config["DATABASE"])
    definition = app.extensions["surveys"].latest("cmo")
    hook = ["response.completed"]
    for n in range(3):  # other questionnaires' endpoints are in the index too
        webhooks.add_endpoint(db, "client", f"https://203.0.113.{n}/", hook, "b")
    rows = {"no outbox call": run(db, definition, responses, lambda *a, **k: None)}
    rows["no endpoint"] = run(db, definition, responses, webhooks.enqueue)
    webhooks.add_endpoint(db, "cmo", "https://203.0.113.9/", hook, "b")
    rows["1 endpoint"] = run(db, definition, responses, webhooks.enqueue)
    for n in range(2):
        webhooks.add_endpoint(db, "cmo", f"https://203.0.114.{n}/", hook, "b")
    rows["3 endpoints"] = run(db, definition, responses, webhooks.enqueue)
    outbox = db.execute("SELECT count(*) FROM webhook_outbox").fetchone()[0]
    version = db.execute("SELECT sqlite_version()").fetchone()[0]
    store.close_thread_connections()
    return rows, outbox, version


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="surveyapp-outbox-") as folder:
        rows, outbox, version = measure(folder, args.responses)
    print(f"{args.responses} responses per case, SQLite {version} (WAL, synchronous=FULL);"
          f" outbox rows written: {outbox}")  # fmt: skip
    print(f"{'case':<16} {'outbox median':>14} {'outbox p99':>11} {'insert median':>14}")
    worst = 0.0
    for name, (inside, whole) in rows.items():
        median, p99 = statistics.median(inside), percentile(inside, 0.99)
        if name != "no outbox call":
            worst = max(worst, median)
        print(f"{name:<16} {median:>11.4f} ms {p99:>8.4f} ms {statistics.median(whole):>11.3f} ms")
    verdict = "PASS" if worst <= TARGET_MS else "FAIL"
    print(f"outbox cost per response (median, worst case): {worst:.4f} ms;"
          f" target <= {TARGET_MS} ms: {verdict}")  # fmt: skip
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
