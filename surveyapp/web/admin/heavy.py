"""Heavy admin reads (trends, reports, compare, filtered tallies) must not starve respondents.

Each worker process runs at most HEAVY_READS_PER_WORKER of them at once: one more is
refused at once with 503 instead of queueing for a thread. Each runs within
ADMIN_READ_SECONDS: a statement still running then is stopped (store.read_budget) and
the view answers 503. Both leave the threads and the CPU to respondents."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from flask import abort, current_app

from surveyapp import store
from surveyapp.web import get_db

TOO_HEAVY = "This view is too heavy right now; try a narrower filter."
BUSY = "Other heavy views are being computed right now; try again in a moment."


def _gate() -> threading.BoundedSemaphore:
    """This process's count of heavy reads (created on first use, so after any fork)."""
    extensions = current_app.extensions
    if "heavy_reads" not in extensions:
        slots = int(current_app.config["HEAVY_READS_PER_WORKER"])
        extensions.setdefault("heavy_reads", threading.BoundedSemaphore(slots))
    return extensions["heavy_reads"]


@contextlib.contextmanager
def heavy_read(applies: bool = True) -> Iterator[None]:
    """Run the enclosed work as one heavy read (a view decorator as `@heavy_read()`);
    when `applies` is false (e.g. an unfiltered view read from counters) it is not one."""
    if not applies:
        yield
        return
    gate = _gate()
    if not gate.acquire(blocking=False):
        abort(503, BUSY)
    try:
        with store.read_budget(get_db(), float(current_app.config["ADMIN_READ_SECONDS"])):
            yield
    except store.ReadBudgetExceeded:
        abort(503, TOO_HEAVY)
    finally:
        gate.release()
