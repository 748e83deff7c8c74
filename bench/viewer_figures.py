"""Benchmark: what a viewer's released figures cost next to an admin's exact ones.

    .venv/bin/python bench/viewer_figures.py [--responses 100000] [--today 500]

Fills a temporary database with bench/tallies_export.py's `fill` (past responses, edition
2012) plus `--today` responses stored now (withheld from viewers until tomorrow), then
times through logged-in test clients, for an admin and for a viewer: tallies.json, the
dashboard partial, trends.json and a polled tallies partial that answers 304. "cold" is
the first viewer read after a new response (the release is worked out again), "warm" a
repeat. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from tallies_export import fill, timed  # noqa: E402

from surveyapp import create_app  # noqa: E402
from tests.adminkit import add, cmo, login, make_admin  # noqa: E402

URLS = (
    ("tallies.json", "/admin/surveys/cmo/tallies.json"),
    ("dashboard partial", "/admin/?partial=1"),
    ("trends.json", "/admin/surveys/cmo/trends.json"),
)


def client_for(app, username: str, role: str):
    make_admin(app, username, role=role)
    client = app.test_client()
    login(client, username)
    return client


def report(app, clients: dict) -> None:
    for label, url in URLS:
        for who, client in clients.items():
            took, response = timed(lambda url=url, client=client: client.get(url), 5)
            assert response.status_code == 200, (who, url, response.status_code)
            print(f"{label:20} {who:7} warm median {took * 1000:8.1f} ms")
    viewer = clients["viewer"]
    add(app, "cmo", cmo())
    begin = time.perf_counter()
    viewer.get("/admin/surveys/cmo/tallies.json")
    cold = 1000 * (time.perf_counter() - begin)
    print(f"{'tallies.json':20} viewer  cold (after a new response) {cold:.1f} ms")
    etag = viewer.get("/admin/surveys/cmo?partial=1").headers["ETag"]
    poll = {"If-None-Match": etag}
    took, again = timed(lambda: viewer.get("/admin/surveys/cmo?partial=1", headers=poll), 5)
    print(f"{'poll':20} viewer  warm median {took * 1000:8.1f} ms (status {again.status_code})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--today", type=int, default=500)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="surveyapp-bench-")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": f"{folder}/bench.db"},
                     init_db=True)  # fmt: skip
    clients = {"admin": client_for(app, "ada", "admin"), "viewer": client_for(app, "vic", "viewer")}
    begin = time.perf_counter()
    fill(app, args.responses)
    for _ in range(args.today):
        add(app, "cmo", cmo("large", "asia"))
    print(f"--- {args.responses:,} past responses + {args.today} today"
          f" (filled in {time.perf_counter() - begin:.1f} s)")  # fmt: skip
    report(app, clients)


if __name__ == "__main__":
    main()
