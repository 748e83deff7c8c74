"""A throw-away PostgreSQL cluster for the bench scripts, and app instances on it.

`Postgres` runs Debian's PostgreSQL (scripts/install-postgres) in a temporary folder on a
free 127.0.0.1 port, as the unprivileged user `postgres` when run as root, with the
durability settings a production server keeps (fsync and synchronous_commit on). Unlike
the tests' cluster (tests/pgcluster.py) a bench can crash and restart it under load.
`instances_on_postgres` starts N `surveyapp serve` instances (bench/server.py) on one of
its databases, with nginx balancing between them (bench/proxy.py) when asked."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.loadgen import free_port
from bench.proxy import Nginx
from bench.server import Server
from surveyapp.store import pg


def bindir() -> Path | None:
    """Where PostgreSQL's server programs are (Debian's newest first); None: not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = found[-1] if found else shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class Postgres:
    """initdb, start, crash and restart, stop; a context manager."""

    def __init__(self, max_connections: int = 300, sync_initdb: bool = True):
        found = bindir()
        if found is None:
            raise RuntimeError("PostgreSQL is not installed: run scripts/install-postgres")
        self.bindir, self.sync_initdb = found, sync_initdb
        self.folder = Path(tempfile.mkdtemp(prefix="surveyapp-bench-pg-"))
        self.folder.chmod(0o755)
        self.data, self.port = self.folder / "data", free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"
        self.options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
                        f" -c max_connections={max_connections}")  # fmt: skip
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres" if _has_user("postgres") else "nobody"
            shutil.chown(self.folder, self.user)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603

    def start(self) -> Postgres:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", "--locale=C.UTF-8",
                      *([] if self.sync_initdb else ["--no-sync"]))  # fmt: skip
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"),
                  "-o", self.options, "-w", "start")  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash: no checkpoint, recovery from the WAL at the next start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def crash_and_restart(self, down_seconds: float) -> None:
        self.stop("immediate")
        time.sleep(down_seconds)
        self.start()

    def database(self, name: str) -> str:
        """The URL of a new, empty database `name`."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"{self.url}/{name}"

    def __enter__(self) -> Postgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        pg.close_pools()
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@contextlib.contextmanager
def instances_on_postgres(
    url: str, instances: int, workers: int, threads: int, proxy: bool = True
) -> Iterator[tuple[list[Server], Nginx | None]]:
    """`instances` app instances on the database at `url` (started one after the other:
    the first runs the migrations), and nginx in front of them when `proxy` is set."""
    servers = [Server(workers=workers, threads=threads, database_url=url) for _ in range(instances)]
    nginx = None
    try:
        for server in servers:
            server.start(timeout=120)
        if proxy:
            nginx = Nginx(*[s.port for s in servers], server_name="127.0.0.1").start()
        yield servers, nginx
    finally:
        if nginx is not None:
            nginx.stop()
            shutil.rmtree(nginx.prefix, ignore_errors=True)
        for server in servers:
            server.close()
