"""The queue SQLite writers of one database file take turns in before BEGIN IMMEDIATE:
a thread lock plus an flock on a side file shared by every worker process (see
WriterQueue for why SQLite's own busy handler is not enough)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator

from surveyapp.store.errors import StorageBusy


class WriterQueue:
    """Writers of one database file take turns here before BEGIN IMMEDIATE.

    SQLite's busy handler polls with growing sleeps (1, 2, 5 ... 100 ms), so under
    concurrent submissions a waiting writer often sleeps long after the lock is
    free: that is where the p99 latency went. A thread lock plus an flock on a
    side file (shared by every worker process) hands the turn over at once. The
    busy timeout still covers writers that do not queue here (e.g. other tools),
    and bounds the wait here too: past it, StorageBusy.
    """

    def __init__(self, path: str):
        self.path = f"{path}-writer.lock"
        self.thread_lock = threading.RLock()
        self.fd: int | None = None
        self.pid = 0
        self.locked = False
        self.waiter: _LockWaiter | None = None

    @contextlib.contextmanager
    def turn(self, seconds: float) -> Iterator[None]:
        """This thread's turn to write, waiting at most `seconds` (then StorageBusy)."""
        deadline = time.monotonic() + seconds
        if not self.thread_lock.acquire(timeout=seconds):
            raise StorageBusy("the database is busy: the write queue did not move")
        try:
            if self.pid != os.getpid():  # a forked worker must not share its parent's lock
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                self.pid, self.locked, self.waiter = os.getpid(), False, _LockWaiter(self.path)
            if self.locked:  # this thread holds the file lock already (a nested turn)
                yield
                return
            release = self._lock(deadline, seconds)
            self.locked = True
            try:
                yield
            finally:
                self.locked = False
                release()
        finally:
            self.thread_lock.release()

    def _lock(self, deadline: float, seconds: float):
        """Take the file lock; return what gives it back."""
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lambda: fcntl.flock(self.fd, fcntl.LOCK_UN)
        except BlockingIOError:
            held = self.waiter.take(deadline, seconds)
            return lambda: os.close(held)


class _LockWaiter:
    """Waits for the file lock inside the kernel, so it is handed over as soon as it is
    free (polling would lose every race to the process holding it), yet gives up at a
    deadline. A helper thread blocks in flock on a file descriptor of its own; the
    caller takes that descriptor, or leaves it to be closed (released) once locked."""

    def __init__(self, path: str):
        self.path = path
        self.ready = threading.Condition()
        self.wanted = False
        self.held: int | None = None
        self.thread: threading.Thread | None = None

    def take(self, deadline: float, seconds: float) -> int:
        with self.ready:
            self.wanted = True
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True, name=self.path)
                self.thread.start()
            self.ready.notify_all()
            while self.held is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.wanted = False
                    raise StorageBusy(
                        f"the database is busy: another process kept {self.path}"
                        f" for over {seconds:g} s"
                    )
                self.ready.wait(remaining)
            held, self.held, self.wanted = self.held, None, False
            return held

    def _run(self) -> None:
        while True:
            with self.ready:
                self.ready.wait_for(lambda: self.wanted and self.held is None)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            with self.ready:
                if self.wanted and self.held is None:
                    self.held = fd
                    self.ready.notify_all()
                    continue
            os.close(fd)


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def for_path(path: str) -> WriterQueue:
    """The one queue of this process for the database file at `path`."""
    with _queues_lock:
        if path not in _queues:
            _queues[path] = WriterQueue(path)
        return _queues[path]
