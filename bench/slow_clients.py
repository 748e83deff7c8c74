"""Slow clients: 40 connections sending their headers one byte at a time, then normal
requests, against bare gunicorn and against deploy/nginx.conf in front of it. Prints how
long each normal request took (or that it got no answer within --wait seconds).

    .venv/bin/python bench/slow_clients.py [--slow 40] [--workers 2] [--threads 16]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench import options  # noqa: E402
from bench.proxy import HOST, Nginx, SlowClients  # noqa: E402
from bench.server import Server  # noqa: E402


def _probe(base: str, host: str | None, wait: float, count: int = 5) -> list[str]:
    """`count` normal GETs while the slow clients hold on: each one's time or failure."""
    results = []
    for _ in range(count):
        start = time.perf_counter()
        try:
            status = requests.get(f"{base}/s/cmo", headers={"Host": host} if host else {},
                                  timeout=wait).status_code  # fmt: skip
            results.append(f"{status} in {(time.perf_counter() - start) * 1000:.0f} ms")
        except requests.RequestException as exc:
            results.append(
                f"no answer after {time.perf_counter() - start:.1f} s ({type(exc).__name__})"
            )
    return results


def main() -> int:
    table = (("--slow", int, 40), ("--workers", int, 2), ("--threads", int, 16),
             ("--wait", float, 10.0))  # fmt: skip
    args = options.parse(__doc__.splitlines()[0], table)
    server = Server(workers=args.workers, threads=args.threads)
    server.env["SURVEYAPP_PROXY_HOPS"] = "1"
    print(f"gunicorn: {args.workers} worker(s) x {args.threads} threads; {args.slow} slow clients")
    with server, Nginx(server.port) as nginx:
        for name, base, host, port in (("bare gunicorn", server.base, None, server.port),
                                       ("behind nginx", nginx.base, HOST, nginx.port)):  # fmt: skip
            with SlowClients(port, count=args.slow, every=0.5):
                time.sleep(1.0)  # let them start sending
                results = _probe(base, host, args.wait)
            print(f"{name}: " + "; ".join(results))
            time.sleep(1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
