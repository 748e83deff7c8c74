"""A webhook receiver on 127.0.0.1 for benches and tests: records every request, answers
with the status its `answer` function picks (200 by default), and verifies signatures
with the `standardwebhooks` package."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    answer: Callable[[Received], int] = lambda _r: 200
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                got = Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                               self.rfile.read(length))  # fmt: skip
                owner.received.append(got)
                status = owner.answer(got)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def verified(secret: str, got: Received) -> dict:
    """The payload, once `standardwebhooks` has checked its signature (raises if wrong)."""
    headers = {k: got.headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    return Webhook(secret).verify(got.body, headers)


def signed_by(secret: str, got: Received) -> bool:
    """Whether `standardwebhooks` signs the request as received, whatever its timestamp
    (for deliveries made on an injected clock, outside verify()'s five minutes)."""
    moment = datetime.fromtimestamp(int(got.headers["webhook-timestamp"]), UTC)
    expected = Webhook(secret).sign(got.headers["webhook-id"], moment, got.body.decode())
    return expected in got.headers["webhook-signature"].split(" ")
