"""Heavy admin reads (figures counted again from the answers: a segment or a time range,
the report's comments) must not starve respondents.

Each worker process runs at most HEAVY_READS_PER_WORKER of them at once, each on a
thread of a pool kept for them whose OS priority is HEAVY_READS_NICE steps lower than
the process's (Linux, where nice is per thread), so respondents' requests get the CPU
first. One more is refused at once with 503 instead of queueing. Each runs within
ADMIN_READ_SECONDS: a statement still running then is stopped (store.read_budget) and
the view answers 503. The pool's threads are lowered once and never raised again: an
unprivileged process could not undo it, and they run nothing else."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, current_app

from surveyapp import store
from surveyapp.web import get_db

TOO_HEAVY = "This view is too heavy right now; try a narrower filter."
BUSY = "Other heavy views are being computed right now; try again in a moment."
T = TypeVar("T")


@dataclass(frozen=True)
class Slots:
    free: threading.BoundedSemaphore
    pool: ThreadPoolExecutor


def lower_priority(steps: int) -> None:
    """Make the calling thread `steps` nice levels less favoured (at most 19). Linux only:
    elsewhere the id of a thread is no process id `setpriority` understands."""
    if steps <= 0 or not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    with contextlib.suppress(OSError):  # a sandbox may forbid it: the reads still run
        os.setpriority(os.PRIO_PROCESS, thread,
                       min(19, os.getpriority(os.PRIO_PROCESS, thread) + steps))  # fmt: skip


def _slots() -> Slots:
    """This process's heavy-read slots and threads (made on first use, so after any fork)."""
    extensions = current_app.extensions
    if "heavy_reads" not in extensions:
        size = int(current_app.config["HEAVY_READS_PER_WORKER"])
        pool = ThreadPoolExecutor(max(size, 1), "heavy-read", lower_priority,
                                  (int(current_app.config["HEAVY_READS_NICE"]),))  # fmt: skip
        extensions.setdefault("heavy_reads", Slots(threading.BoundedSemaphore(size), pool))
    return extensions["heavy_reads"]


def run(applies: bool, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """work(*args, **kwargs) as one heavy read when `applies` (on a low-priority thread, in
    this request's context, within the budget; 503 when over the cap or the budget), else
    right here (e.g. an unfiltered view read from the counters)."""
    if not applies:
        return work(*args, **kwargs)
    slots = _slots()
    if not slots.free.acquire(blocking=False):
        abort(503, BUSY)
    try:
        db, seconds = get_db(), float(current_app.config["ADMIN_READ_SECONDS"])
        context = contextvars.copy_context()
        return slots.pool.submit(context.run, _budgeted, db, seconds, work, args, kwargs).result()
    except store.ReadBudgetExceeded:
        abort(503, TOO_HEAVY)
    finally:
        slots.free.release()


def _budgeted(db, seconds: float, work: Callable[..., T], args: tuple, kwargs: dict) -> T:
    with store.read_budget(db, seconds):
        return work(*args, **kwargs)


def heavy_read(view: Callable[..., T]) -> Callable[..., T]:
    """A view decorator: the whole view is one heavy read."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        return run(True, view, *args, **kwargs)

    return wrapper
