"""Scenarios shared by bench/faults.py, bench/double_submit.py and tests/test_reliability.py:
parallel copies of one final POST, a database that refuses writes, and a separate process
of respondents (`python -m bench.scenarios BASE WALKS THREADS`)."""

from __future__ import annotations

import os
import random
import sys
import threading
from collections import Counter
from pathlib import Path

import requests

from bench.harness import (
    KEY,
    NETWORK_ERRORS,
    TOKEN,
    Load,
    Respondent,
    answers_for,
    shipped_definitions,
)
from bench.loadgen import Stats
from surveyapp import SHIPPED_SURVEYS, store
from surveyapp.questionnaire.model import Definition


def last_page(base: str, definition: Definition, rng: random.Random) -> tuple[Respondent, dict]:
    """A respondent who answered every page but the last; returns it and the last page's answers."""
    respondent = Respondent(base, Stats(), rng)
    pages = answers_for(definition, rng)
    url = f"/s/{definition.id}"
    respondent._get_page(f"{url}?page=1")
    for number in range(1, len(pages)):
        answers = pages[number - 1]
        respondent._get_page(respondent._post("POST next", f"{url}?page={number}", "next", answers))
    return respondent, pages[-1]


def double_submit(base: str, copies: int = 20) -> dict:
    """Post one final page with one submission key from `copies` threads at once."""
    definition = shipped_definitions()[0]
    respondent, answers = last_page(base, definition, random.Random(7))  # noqa: S311
    html = respondent.html
    data = {"csrf_token": TOKEN.search(html).group(1), "action": "submit", **answers,
            "submission_key": KEY.search(html).group(1)}  # fmt: skip
    url = f"{base}/s/{definition.id}?page={len(definition.pages)}"
    barrier = threading.Barrier(copies)
    results: list[str] = []

    def post() -> None:
        session = requests.Session()
        session.cookies.update(respondent.session.cookies)
        barrier.wait(timeout=30)
        try:
            response = session.post(url, data=data, timeout=30, allow_redirects=False)
        except NETWORK_ERRORS:
            results.append("network")
            return
        location = response.headers.get("Location", "")
        results.append(f"{response.status_code} {'again' if 'again=1' in location else 'new'}")

    threads = [threading.Thread(target=post) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"key": data["submission_key"], "results": Counter(results)}


def rows_for_key(path: Path, key: str) -> int:
    db = store.connect(path)
    try:
        return db.execute(
            "SELECT count(*) FROM responses WHERE submission_key = ?", [key]
        ).fetchone()[0]
    finally:
        db.close()


REFUSALS = {
    # What the thread's connection is told so that the database refuses writes the way
    # a read-only file (SQLITE_READONLY) or a full disk (SQLITE_FULL) would.
    "read-only": ("PRAGMA query_only = 1", "PRAGMA query_only = 0"),
    "full": ("PRAGMA max_page_count = {pages}", "PRAGMA max_page_count = 1073741823"),
}


def refused_write(workdir: Path, kind: str) -> dict:
    """A respondent posts while the database refuses writes, then again once it accepts them.

    Runs in-process (Flask test client, same thread as the app's connection)."""
    from surveyapp import create_app
    from surveyapp.web.survey.pages import STORAGE_FAILED

    path = workdir / f"refuse-{kind}.db"
    app = create_app({"SECRET_KEY": "refusal", "DATABASE": str(path),
                      "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS)]}, init_db=True)  # fmt: skip
    definition = shipped_definitions()[0]
    url, last = f"/s/{definition.id}", len(definition.pages)
    client = app.test_client()
    pages = answers_for(definition, random.Random(3))  # noqa: S311
    comment = "Kept answer " + "x" * 3900  # overflows a page, so a full database must refuse it
    pages[-1] = {**pages[-1], "comments": comment}

    def post(html: str, number: int, action: str, answers: dict):
        data = {
            "csrf_token": TOKEN.search(html).group(1),
            "submission_key": KEY.search(html).group(1),
            "action": action,
            **answers,
        }
        return client.post(f"{url}?page={number}", data=data)  # fmt: skip

    html = client.get(f"{url}?page=1").text
    for number in range(1, last):
        html = client.get(post(html, number, "next", pages[number - 1]).location).text
    db = store.thread_connection(str(path))
    refuse, accept = REFUSALS[kind]
    db.execute(refuse.format(pages=db.execute("PRAGMA page_count").fetchone()[0]))
    refused = post(html, last, "submit", pages[-1])
    back = post(html, last, "back", pages[-1])
    rows_during = db.execute("SELECT count(*) FROM responses").fetchone()[0]
    db.execute(accept)
    retried = post(refused.text, last, "submit", pages[-1])
    result = {
        "submit status": refused.status_code,
        "notice shown": STORAGE_FAILED in refused.text.replace("&#39;", "'"),
        "answers kept": comment in refused.text,
        "thanked while refusing": "thanks" in (refused.location or "") + (back.location or ""),
        "back status": back.status_code,
        "rows while refusing": rows_during,
        "retry": f"{retried.status_code} {retried.location}",
        "rows after retry": db.execute("SELECT count(*) FROM responses").fetchone()[0],
    }
    store.close_thread_connections()
    return result


def _main() -> None:
    """`python -m bench.scenarios BASE WALKS THREADS`: a separate process of respondents;
    prints one line per walk: result and submission key."""
    base, walks, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    load = Load(base, seconds=600, respondents=threads, admins=0, max_walks=walks,
                seed=os.getpid()).run()  # fmt: skip
    for outcome in load.outcomes:
        print(outcome.result, outcome.key)


if __name__ == "__main__":
    _main()
