"""Heavy admin reads (figures counted again from the answers: a segment or a time range,
the report's comments) must not starve respondents.

Each worker process runs at most HEAVY_READS_PER_WORKER of them at once, in as many read
processes of its own whose OS priority is HEAVY_READS_NICE steps lower
(surveyapp.store.offload), so respondents' requests get the CPU and this process's
interpreter lock first. One more is refused at once with 503 instead of queueing. Each
runs within ADMIN_READ_SECONDS: a statement still running then is stopped
(store.read_budget) and the view answers 503. In a process serving the whole view apart
(surveyapp.web.apart, already of lower priority) the read runs right there."""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, current_app

from surveyapp import store
from surveyapp.store.connection import checkpoint
from surveyapp.store.offload import ReadProcesses
from surveyapp.web import apart, get_db

TOO_HEAVY = "This view is too heavy right now; try a narrower filter."
BUSY = "Other heavy views are being computed right now; try again in a moment."
T = TypeVar("T")
_open: weakref.WeakSet[ReadProcesses] = weakref.WeakSet()


@dataclass(frozen=True)
class Slots:
    free: threading.BoundedSemaphore
    processes: ReadProcesses


def _slots() -> Slots:
    """This worker's heavy-read slots and read processes (made on first use, so after
    gunicorn forked the worker)."""
    extensions = current_app.extensions
    if "heavy_reads" not in extensions:
        config = current_app.config
        size = int(config["HEAVY_READS_PER_WORKER"])
        processes = ReadProcesses(config["DATABASE"], size, int(config["HEAVY_READS_NICE"]))
        slots = Slots(threading.BoundedSemaphore(size), processes)
        if extensions.setdefault("heavy_reads", slots) is slots:
            _open.add(processes)
    return extensions["heavy_reads"]


def run(applies: bool, func: Callable[..., T], *args: Any) -> T:
    """func(db, *args): as one heavy read when `applies` (in a read process, within the
    budget; 503 over the cap or the budget), else right here on this request's connection
    (e.g. figures read from the counters). `func` and its arguments must pickle."""
    if not applies:
        return func(get_db(), *args)
    if current_app.config.get(apart.SERVED_APART):  # this process is the one apart
        return _here(func, *args)
    slots = _slots()
    if not slots.free.acquire(blocking=False):
        abort(503, BUSY)
    try:
        return slots.processes.call(float(current_app.config["ADMIN_READ_SECONDS"]), func, *args)
    except store.ReadBudgetExceeded:
        abort(503, TOO_HEAVY)
    except store.StorageError:
        abort(503, BUSY)
    finally:
        slots.free.release()


def _here(func: Callable[..., T], *args: Any) -> T:
    """func(get_db(), *args) within the budget, in a process serving views apart."""
    db = get_db()
    try:
        with store.read_budget(db, float(current_app.config["ADMIN_READ_SECONDS"])):
            return func(db, *args)
    except store.ReadBudgetExceeded:
        abort(503, TOO_HEAVY)
    finally:
        checkpoint(db)


@atexit.register
def _close_all() -> None:
    """Stop the read processes before the interpreter tears its modules down."""
    for processes in list(_open):
        processes.close()
