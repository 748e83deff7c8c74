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
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.test import run_wsgi_app

from surveyapp.store import DatabaseError, StorageError
from surveyapp.store.offload import ReadProcesses

FIGURE_ENDPOINTS = frozenset({
    "admin.survey", "admin.tallies_json", "admin.trends", "admin.trends_json",
    "admin.compare", "admin.report", "admin.results", "admin.results_chart",
    "admin.results_texts", "admin.crosstab",
})  # fmt: skip
# Views that read the counters alone when asked with these arguments only.
PLAIN_ENDPOINTS = FIGURE_ENDPOINTS - {"admin.report", "admin.crosstab", "admin.results_texts"}
PLAIN_ARGS = frozenset({"edition", "order", "partial"})
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


def _serve(
    factory: Callable[[dict], Flask], settings: dict[str, Any], environ: dict[str, Any]
) -> tuple[str, list, bytes]:
    """In a process apart: the response of this process's app (made once by `factory`)
    to `environ`."""
    if not _app:
        _app.append(factory(settings))
    environ = environ | {"wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr}
    body, status, headers = run_wsgi_app(_app[0].wsgi_app, environ, buffered=True)
    try:
        return status, list(headers.to_wsgi_list()), b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()


@dataclass(frozen=True)
class Lane:
    """Processes serving views apart, and how many requests they admit at once."""

    processes: ReadProcesses
    admitted: threading.BoundedSemaphore

    @classmethod
    def of(cls, path: str, size: int, nice: int) -> Lane:
        processes = ReadProcesses(path, size, nice)
        return cls(processes, threading.BoundedSemaphore(2 * processes.size))


class ServedApart:
    """WSGI middleware around `app.wsgi_app`: FIGURE_ENDPOINTS GETs served apart, those
    without filters (PLAIN_ARGS alone, read from the counters) by a process of their own,
    so that they never wait behind a filtered view counting answers again."""

    def __init__(self, app: Flask, factory: Callable[[dict], Flask], size: int, nice: int):
        self.app, self.inner, self.factory = app, app.wsgi_app, factory
        self.settings = _settings(app)
        path = app.config["DATABASE"]
        self.lanes = {"plain": Lane.of(path, 1, nice), "filtered": Lane.of(path, size, nice)}
        self.served = 0  # requests answered apart, for tests and benches

    def lane(self, environ: dict[str, Any]) -> Lane | None:
        """The lane serving this request; None: the app, right here."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        adapter = self.app.url_map.bind_to_environ(environ)
        try:
            endpoint, _args = adapter.match()
        except HTTPException:  # no match, a redirect: the app answers as always
            return None
        if endpoint not in FIGURE_ENDPOINTS or not self.signed_in(environ):
            return None
        names = {name for name, _value in parse_qsl(environ.get("QUERY_STRING", ""))}
        plain = endpoint in PLAIN_ENDPOINTS and names <= PLAIN_ARGS
        return self.lanes["plain" if plain else "filtered"]

    def signed_in(self, environ: dict[str, Any]) -> bool:
        """Whether the request carries a signed session of someone logged in: only theirs
        take a place in a lane (the worker sends anyone else to log in), so that no
        anonymous client can fill the lanes and keep admins' views busy."""
        request = self.app.request_class(environ)
        session = self.app.session_interface.open_session(self.app, request)
        return bool(session and session.get("admin"))

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        lane = self.lane(environ)
        if lane is None:
            return self.inner(environ, start_response)
        if not lane.admitted.acquire(blocking=False):
            return busy(environ, start_response)
        try:
            plain = {k: v for k, v in environ.items() if _plain(v)}
            status, headers, body = lane.processes.run(_serve, self.factory, self.settings, plain)
        except (StorageError, DatabaseError):
            # the process died (the next request starts another), or could not make its
            # app while the database was out of reach: try again in a moment
            return busy(environ, start_response)
        finally:
            lane.admitted.release()
        self.served += 1
        start_response(status, headers)
        return [body]

    def pids(self) -> list[int]:
        return sorted(pid for lane in self.lanes.values() for pid in lane.processes.pids())

    def close(self) -> None:
        for lane in self.lanes.values():
            lane.processes.close()


def busy(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    """503 at once, without the app: nothing else is spent on a request refused."""
    response = ServiceUnavailable(BUSY).get_response(environ)
    response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response(environ, start_response)


def install(app: Flask, factory: Callable[[dict], Flask]) -> ServedApart | None:
    """Serve `app`'s figure views apart when ADMIN_VIEWS_APART > 0 (and it is not itself
    a process serving apart), by apps `factory(settings)` makes (create_app: passed in,
    web may not import the package that wires it); returns the middleware."""
    size = int(app.config.get("ADMIN_VIEWS_APART", 0))
    if size <= 0 or app.config.get(SERVED_APART):
        return None
    apart = ServedApart(app, factory, size, int(app.config["ADMIN_VIEWS_NICE"]))
    app.wsgi_app = apart  # type: ignore[method-assign]
    app.extensions["served_apart"] = apart
    _open.add(apart)
    return apart


@atexit.register
def _close_all() -> None:
    """Stop the processes before the interpreter tears its modules down."""
    for apart in list(_open):
        apart.close()
