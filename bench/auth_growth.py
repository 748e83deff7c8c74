"""What anonymous clients can add to the database: rows and bytes after 2,000 failed
log-ins (many usernames, then one) and 1,000 new drafts from one address, through the
app's test client on a fresh database. Prints figures; asserts nothing.

    .venv/bin/python -m bench.auth_growth
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from surveyapp import SHIPPED_SURVEYS, create_app, store

TABLES = ("audit", "login_failures", "drafts")
KEY = re.compile(r'name="submission_key"[^>]*value="([^"]+)"')


def _app(folder: Path):
    return create_app({
        "TESTING": True, "SECRET_KEY": "bench", "AUDIT_KEY": "bench",
        "DATABASE": str(folder / "growth.db"), "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS)],
        "WTF_CSRF_ENABLED": False,
    }, init_db=True)  # fmt: skip


def _figures(app) -> str:
    db = store.thread_connection(app.config["DATABASE"])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rows = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608
    size = Path(app.config["DATABASE"]).stat().st_size
    return ", ".join(f"{t} {n}" for t, n in rows.items()) + f"; file {size / 1e6:.2f} MB"


def _logins(app, usernames) -> dict[int, int]:
    client, statuses = app.test_client(), {}
    for name in usernames:
        data = {"username": name, "password": "a wrong guess"}
        status = client.post("/admin/login", data=data,
                             environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code  # fmt: skip
        statuses[status] = statuses.get(status, 0) + 1
    return statuses


def _drafts(app, count: int) -> dict[int, int]:
    statuses: dict[int, int] = {}
    for _ in range(count):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "198.51.100.8"
        key = KEY.search(client.get("/s/cmo").text).group(1)
        form = {"submission_key": key, "company_size": "small", "region": "europe"}
        status = client.post("/s/cmo?page=1", data=form | {"action": "next"}).status_code
        statuses[status] = statuses.get(status, 0) + 1
    return statuses


def main() -> None:
    runs = [
        ("2,000 failed log-ins, 2,000 usernames, one address",
         lambda app: _logins(app, (f"user{n}" for n in range(2000)))),
        ("2,000 failed log-ins, one username, one address",
         lambda app: _logins(app, ("admin" for _ in range(2000)))),
        ("1,000 new drafts, one address", lambda app: _drafts(app, 1000)),
    ]  # fmt: skip
    for title, run in runs:
        with tempfile.TemporaryDirectory() as folder:
            app = _app(Path(folder))
            start = time.perf_counter()
            statuses = run(app)
            seconds = time.perf_counter() - start
            print(f"{title}: {seconds:.1f} s, statuses {dict(sorted(statuses.items()))}")
            print(f"    {_figures(app)}")
            store.close_thread_connections()


if __name__ == "__main__":
    main()
