"""Reads in separate processes of lower OS priority: a read that counts every answer
again (seconds of CPU at 300,000 responses) then holds neither the serving process's
interpreter lock nor its share of the CPU, so respondents' requests go first.

Each process lowers its own priority once at start (`nice` steps) and is never raised
again (an unprivileged process could not undo it). On Linux it also starts a session of
its own: the scheduler's automatic grouping (sched_autogroup, on for desktops and shared
hosts) shares the CPU between sessions before it looks at nice values, so a busy read in
the server's session would take the server's share; the new session's group gets the
same `nice`. A read runs `func(db, *args)` on the process's own connection within a time
budget (read_budget); what it returns, or raises, comes back pickled.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from surveyapp.store.connection import StorageError, checkpoint, read_budget, thread_connection

T = TypeVar("T")
__all__ = ["ReadProcesses", "lower_priority"]


def lower_priority(steps: int) -> None:
    """Make this process `steps` nice levels less favoured (at most 19), in a session
    (and so a scheduler group) of its own on Linux. Each step is best effort."""
    if steps <= 0:
        return
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setsid()
        with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as group:
            group.write(str(min(19, steps)))
    with contextlib.suppress(OSError):
        os.nice(steps)


def _read(path: str, seconds: float, func: Callable[..., T], args: tuple) -> T:
    db = thread_connection(path)
    try:
        with read_budget(db, seconds):
            return func(db, *args)
    finally:
        checkpoint(db)


class ReadProcesses:
    """Up to `size` read processes for one database, started when first needed (by a
    fork server, so never by forking a threaded server process) and again after one died.
    As with any multiprocessing start method but fork, a program run as a script must
    guard its main code (`if __name__ == "__main__":`); gunicorn, flask and pytest do."""

    def __init__(self, path: str | Path, size: int, nice: int):
        self.path, self.size, self.nice = str(path), max(1, size), nice
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("forkserver")
                # Nothing preloaded: the fork server ignores this process's sys.path, a
                # read process imports what it needs after taking it over.
                context.set_forkserver_preload([])
                self._pool = ProcessPoolExecutor(
                    self.size, context, initializer=lower_priority, initargs=(self.nice,)
                )
            return self._pool

    def call(self, seconds: float, func: Callable[..., T], *args: Any) -> T:
        """func(db, *args) in a read process within `seconds` (ReadBudgetExceeded past it);
        StorageError when the process died meanwhile (the next call starts a new one)."""
        return self.run(_read, self.path, seconds, func, args)

    def run(self, func: Callable[..., T], *args: Any) -> T:
        """func(*args) in a read process, as it is (no connection opened for it);
        StorageError when the process died meanwhile (the next call starts a new one)."""
        pool = self._executor()
        try:
            return pool.submit(func, *args).result()
        except BrokenProcessPool as exc:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False)
            raise StorageError("a read process stopped; try again") from exc

    def pids(self) -> list[int]:
        """The read processes running now."""
        pool = self._pool
        return sorted(getattr(pool, "_processes", None) or {}) if pool else []

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
