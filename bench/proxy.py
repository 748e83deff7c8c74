"""nginx running deploy/nginx.conf in front of a bench Server (deploy/two-hosts/nginx.conf
in front of two), and slow clients.

nginx gets a temporary prefix (config, pid, logs, temp files), listens on a free
127.0.0.1 port and proxies to the servers' ports; only the listen and upstream lines
(and, when asked, the server_name) of the shipped file change. Run as root, nginx runs
as `nobody`. For tests/test_deploy.py, tests/test_two_hosts.py and the bench scripts;
Debian's nginx comes from scripts/install-nginx."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

from bench.server import free_port, started, terminate

ROOT = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")
CONFIG = ROOT / "deploy" / "nginx.conf"
TWO_HOSTS = ROOT / "deploy" / "two-hosts" / "nginx.conf"
HOST = "survey.example.org"  # the server_name in both files
UPSTREAMS = {CONFIG: ("127.0.0.1:5000",), TWO_HOSTS: ("127.0.0.1:5001", "127.0.0.1:5002")}

MAIN = """worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
daemon off;
events {{ worker_connections 512; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/surveyapp.conf;
}}
"""


def site_config(port: int, upstreams: tuple[int, ...], server_name: str = HOST) -> str:
    """deploy/nginx.conf (two upstreams: deploy/two-hosts/nginx.conf) listening on
    127.0.0.1:`port`, proxying to 127.0.0.1:`upstreams`, answering for `server_name`."""
    config = CONFIG if len(upstreams) == 1 else TWO_HOSTS
    text = config.read_text(encoding="utf-8")
    for old, new in (
        ("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        (f"server_name {HOST};", f"server_name {server_name};"),
        *((f"server {shipped}", f"server 127.0.0.1:{upstream}")
          for shipped, upstream in zip(UPSTREAMS[config], upstreams, strict=True)),
    ):  # fmt: skip
        if text.count(old) != 1:
            raise RuntimeError(f"{config} no longer has exactly one {old!r}")
        text = text.replace(old, new)
    return text


class Nginx:
    """nginx in front of 127.0.0.1:`upstreams` (one or two) on a free port; a context
    manager. `server_name` 127.0.0.1 lets clients use the base URL as their Host."""

    def __init__(self, *upstreams: int, server_name: str = HOST):
        self.upstreams, self.server_name, self.port = upstreams, server_name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.prefix = Path(tempfile.mkdtemp(prefix="surveyapp-nginx-"))
        self.proc: subprocess.Popen | None = None
        self.run_as: dict = {}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            self.run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid}
            os.chown(self.prefix, nobody.pw_uid, nobody.pw_gid)

    def command(self, *extra: str) -> list[str]:
        return [str(NGINX), "-p", str(self.prefix), "-e", str(self.prefix / "error.log"),
                "-c", str(self.prefix / "nginx.conf"), *extra]  # fmt: skip

    def check(self) -> subprocess.CompletedProcess:
        """`nginx -t` on the configuration."""
        return subprocess.run(  # noqa: S603 - Debian's nginx, fixed arguments
            self.command("-t"), capture_output=True, text=True, timeout=30, **self.run_as
        )

    def start(self, timeout: float = 15.0) -> Nginx:
        site = site_config(self.port, self.upstreams, self.server_name)
        (self.prefix / "surveyapp.conf").write_text(site)
        (self.prefix / "nginx.conf").write_text(MAIN.format(prefix=self.prefix))
        checked = self.check()
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t failed: {checked.stderr}")
        self.proc = subprocess.Popen(  # noqa: S603
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **self.run_as
        )
        if started(self.proc, self._up, timeout, 0.05, lambda: f"nginx exited: {self.log()}"):
            return self
        self.stop()
        raise RuntimeError(f"nginx did not start: {self.log()}")

    def _up(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None:
            terminate(self.proc, 15)
            self.proc = None

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        shutil.rmtree(self.prefix, ignore_errors=True)


class SlowClients:
    """`count` connections that send a request's headers one byte every `every` seconds,
    never finishing them; a context manager (bounded: they stop when it exits)."""

    def __init__(self, port: int, count: int = 40, every: float = 0.5):
        self.port, self.count, self.every = port, count, every
        self.stop = threading.Event()
        self.sockets: list[socket.socket] = []
        self.thread = threading.Thread(target=self._trickle)

    def __enter__(self) -> SlowClients:
        for _ in range(self.count):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(f"GET / HTTP/1.1\r\nHost: {HOST}\r\n".encode())
            self.sockets.append(sock)
        self.thread.start()
        return self

    def _trickle(self) -> None:
        while not self.stop.wait(self.every):
            for sock in self.sockets:
                try:
                    sock.sendall(b"X")
                except OSError:  # the server gave up on it: what a timeout should do
                    continue

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        for sock in self.sockets:
            sock.close()
