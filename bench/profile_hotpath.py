"""Profile surveyapp's respondent hot path (GET form + POST submit) in one process.

    .venv/bin/python bench/profile_hotpath.py [--n 400] [--html bench/results/profile.html]

Drives the like-for-like questionnaire through Flask's test client, prints a
pyinstrument profile, then times each piece of the path on its own.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pyinstrument import Profiler
from werkzeug.test import EnvironBuilder, run_wsgi_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from targets import BENCH, answers  # noqa: E402

TOKENS = re.compile(r'name="(csrf_token|submission_key)"[^>]*?value="([^"]*)"')


def walk(client, n: int) -> None:
    html = client.get("/s/bench").get_data(as_text=True)
    form = dict(TOKENS.findall(html)) | {"action": "submit"} | answers(n)
    response = client.post("/s/bench?page=1", data=form)
    assert response.status_code == 302, response.status_code


def timed(label: str, fn, n: int) -> None:
    began = time.perf_counter()
    for i in range(n):
        fn(i)
    print(f"  {label:<44} {(time.perf_counter() - began) / n * 1000:7.3f} ms")


def pieces(app, n: int) -> None:
    from flask import g, render_template

    from surveyapp import store
    from surveyapp.questionnaire.answers import check_pages, counted_fields, page_form_class
    from surveyapp.web import latest_definition

    given = answers(0)
    with app.test_request_context("/s/bench", method="POST", data=given):
        from flask_wtf.csrf import generate_csrf, validate_csrf

        definition = latest_definition("bench")
        db = store.thread_connection(app.config["DATABASE"])
        clean, _ = check_pages(list(definition.pages), lambda k: [given[k]] if k in given else [])
        counted = counted_fields(definition)
        form_class = page_form_class(definition, 1)
        timed("form class lookup (cached)", lambda i: page_form_class(definition, 1), n)
        timed("form instantiation (no data)", lambda i: form_class(formdata=None), n)
        form = form_class(formdata=None)
        page = definition.pages[0]
        timed("template render (page.html)", lambda i: render_template(
            "survey/page.html", definition=definition, page=page, number=1, form=form,
            notice="", has_errors=False), n)  # fmt: skip
        token = generate_csrf()
        timed("CSRF generate (sign a token)", lambda i: (g.pop("csrf_token", None),
              generate_csrf()), n)  # fmt: skip
        timed("CSRF validate", lambda i: validate_csrf(token), n)
        timed("form instantiation + validate (POST)", lambda i: form_class().validate(), n)
        timed("answer checks (check_pages)", lambda i: check_pages([page], lambda k: [given[k]]
              if k in given else []), n)  # fmt: skip
        timed("counted_fields", lambda i: counted_fields(definition), n)
        timed("response_for_key", lambda i: store.response_for_key(db, f"k{i}"), n)
        timed("load_draft", lambda i: store.load_draft(db, f"k{i}"), n)
        timed("save_draft (a transaction, fsync)", lambda i: store.save_draft(
            db, f"d{i}", "bench", clean), n)  # fmt: skip
        timed("insert_response (+answers, counters)", lambda i: store.insert_response(
            db, survey="bench", edition=definition.edition, version=definition.version,
            answers=clean, counted=counted, submission_key=f"p{i}"), n)  # fmt: skip


def server_cpu(app, n: int) -> None:
    """CPU per request inside the WSGI app (no client, no server), GET and POST apart."""
    cookies: dict[str, str] = {}

    def call(**kwargs) -> tuple[float, str, bytes]:
        header = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        environ = EnvironBuilder(headers=header, **kwargs).get_environ()
        began = time.process_time()
        body, status, headers = run_wsgi_app(app.wsgi_app, environ)
        body = b"".join(body)
        spent = time.process_time() - began
        for value in headers.getlist("Set-Cookie"):
            name, _, value = value.split(";", 1)[0].partition("=")
            cookies[name] = value
        return spent, status, body

    spent = {"GET": 0.0, "POST": 0.0}
    for i in range(n + 20):
        get, _status, body = call(path="/s/bench")
        form = dict(TOKENS.findall(body.decode())) | {"action": "submit"} | answers(i)
        post, status, _body = call(path="/s/bench", query_string="page=1", method="POST",
                                   data=form)  # fmt: skip
        assert status.startswith("302"), status
        if i >= 20:
            spent["GET"] += get
            spent["POST"] += post
    for method, total in spent.items():
        print(f"  {method + ' /s/bench (CPU inside the app)':<44} {total / n * 1000:7.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--html", type=Path)
    args = parser.parse_args()
    from surveyapp import create_app

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(BENCH / "like_for_like.yaml", Path(tmp) / "bench.yaml")
        app = create_app(
            {
                "SECRET_KEY": "x",
                "DATABASE": f"{tmp}/p.db",
                "SURVEY_FOLDERS": [tmp],
                "SUBMISSIONS_PER_ADDRESS": 1000,
                "SUBMISSION_WINDOW_SECONDS": 1,
            },
            init_db=True,
        )
        client = app.test_client()
        for i in range(20):
            walk(client, i)
        began = time.perf_counter()
        profiler = Profiler(interval=0.0005)
        with profiler:
            for i in range(args.n):
                walk(client, i)
        per = (time.perf_counter() - began) / args.n * 1000
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.html:
            args.html.parent.mkdir(exist_ok=True)
            args.html.write_text(profiler.output_html())
        print(f"whole walk (GET + POST, test client, under the profiler): {per:.2f} ms\n")
        print("server side, per request:")
        server_cpu(app, args.n)
        print("pieces, timed alone:")
        pieces(app, args.n)


if __name__ == "__main__":
    main()
