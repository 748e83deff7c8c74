"""Admin figure views served apart from respondents, in processes of lower OS priority.

Each figure view of the admin side (tallies, trends, compare, report, results, cross-tabs:
FIGURE_ENDPOINTS) costs milliseconds of CPU even when it reads the counters (seconds when
it counts answers again), and 40 admins asking for them ran on the processes serving
respondents: the same interpreter lock, the same scheduler group, so respondents' pages
waited behind theirs. Under `surveyapp serve` (create_server_app) a worker hands such a
GET, whole, to one of its ADMIN_VIEWS_APART processes (surveyapp.store.offload:
ADMIN_VIEWS_NICE steps lower, in a session and so a scheduler group of its own). That
process runs its own copy of the app (log-in and role checks, heavy reads within
ADMIN_READ_SECONDS, rendering) and hands back the finished response. Twice as many such
requests per worker are admitted as there are processes (the others wait for one); one
more answers 503 at once, so they never hold more than a few of the worker's threads.
Every other request (respondents, forms, exports, log-in) stays in the worker.
"""

from __future__ import annotations

import atexit
import io
import pickle
import sys
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.test import run_wsgi_app

from surveyapp.store import StorageError
from surveyapp.store.offload import ReadProcesses

FIGURE_ENDPOINTS = frozenset({
    "admin.survey", "admin.tallies_json", "admin.trends", "admin.trends_json",
    "admin.compare", "admin.report", "admin.results", "admin.results_chart",
    "admin.results_texts", "admin.crosstab",
})  # fmt: skip
BUSY = "Other heavy views are being computed right now; try again in a moment."
# What a process serving apart knows it is (heavy reads then run right there).
SERVED_APART = "SERVED_APART"
_PLAIN = (str, int, float, bool, type(None))
_app: list[Flask] = []
_open: weakref.WeakSet[ServedApart] = weakref.WeakSet()


def _plain(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(isinstance(v, _PLAIN) for v in value)
    return isinstance(value, _PLAIN)


def _settings(app: Flask) -> dict[str, Any]:
    """The app's settings that can be sent to another process, marked SERVED_APART."""
    settings = {}
    for key, value in app.config.items():
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001, S112 - a setting that cannot travel stays behind
            continue
        settings[key] = value
    return settings | {SERVED_APART: True}


def _serve(settings: dict[str, Any], environ: dict[str, Any]) -> tuple[str, list, bytes]:
    """In a process apart: the response of this process's app (made once) to `environ`."""
    if not _app:
        from surveyapp import create_app

        _app.append(create_app(settings))
    environ = environ | {"wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr}
    body, status, headers = run_wsgi_app(_app[0].wsgi_app, environ, buffered=True)
    try:
        return status, list(headers.to_wsgi_list()), b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()


class ServedApart:
    """WSGI middleware around `app.wsgi_app`: FIGURE_ENDPOINTS GETs served apart."""

    def __init__(self, app: Flask, size: int, nice: int):
        self.app, self.inner = app, app.wsgi_app
        self.settings = _settings(app)
        self.processes = ReadProcesses(app.config["DATABASE"], size, nice)
        self.admitted = threading.BoundedSemaphore(2 * self.processes.size)
        self.served = 0  # requests answered apart, for tests and benches

    def applies(self, environ: dict[str, Any]) -> bool:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return False
        try:
            endpoint, _args = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:  # no match, a redirect: the app answers as always
            return False
        return endpoint in FIGURE_ENDPOINTS

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if not self.applies(environ):
            return self.inner(environ, start_response)
        if not self.admitted.acquire(blocking=False):
            return busy(environ, start_response)
        try:
            plain = {k: v for k, v in environ.items() if _plain(v)}
            status, headers, body = self.processes.run(_serve, self.settings, plain)
        except StorageError:  # the process died: the next request starts another
            return busy(environ, start_response)
        finally:
            self.admitted.release()
        self.served += 1
        start_response(status, headers)
        return [body]

    def close(self) -> None:
        self.processes.close()


def busy(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    """503 at once, without the app: nothing else is spent on a request refused."""
    response = ServiceUnavailable(BUSY).get_response(environ)
    response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response(environ, start_response)


def install(app: Flask) -> ServedApart | None:
    """Serve `app`'s figure views apart when ADMIN_VIEWS_APART > 0 (and it is not itself
    a process serving apart); returns the middleware."""
    size = int(app.config.get("ADMIN_VIEWS_APART", 0))
    if size <= 0 or app.config.get(SERVED_APART):
        return None
    apart = ServedApart(app, size, int(app.config["ADMIN_VIEWS_NICE"]))
    app.wsgi_app = apart  # type: ignore[method-assign]
    app.extensions["served_apart"] = apart
    _open.add(apart)
    return apart


@atexit.register
def _close_all() -> None:
    """Stop the processes before the interpreter tears its modules down."""
    for apart in list(_open):
        apart.close()
