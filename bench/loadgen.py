"""The one load generator of bench/: closed-loop client threads bounded in time and rounds,
latency figures, and the one percentile definition every bench script prints.

Percentile (nearest rank): the p-th percentile of n samples is the smallest sample such
that at least p% of the samples are less than or equal to it, i.e. the sample of rank
ceil(p/100 * n) in ascending order (rank 1 for p = 0). It is always a measured value,
never an interpolation: p100 is the maximum, p50 of 4 samples is the 2nd smallest.

The clients: `Browser` (one keep-alive http.client connection and a cookie jar, lean so
the client costs every target the same little CPU; compare.py) and bench/harness.py's
`Respondent` (a requests.Session walking whole questionnaires; load.py, faults.py,
heavy_reads.py). Both run in `in_threads` and count through `rounds` and `Stats`.
"""

from __future__ import annotations

import http.client
import math
import re
import socket
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from urllib.parse import urlencode

Step = Callable[["Browser"], None]
FIGURES = (("p50", 50), ("p95", 95), ("p99", 99))


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (see the module docstring); NaN when there is no sample."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is not between 0 and 100")
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = math.ceil(Fraction(str(p)) * len(ordered) / 100)
    return ordered[max(rank, 1) - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rounds(deadline: float, limit: int = 10_000_000) -> Iterator[int]:
    """0, 1, 2 ... while time.perf_counter() is before the deadline, at most `limit`."""
    for number in range(limit):
        if time.perf_counter() >= deadline:
            return
        yield number


def in_threads(
    count: int, client: Callable[[int], None], join_timeout: float | None = None
) -> float:
    """Run client(0) ... client(count - 1) in as many threads; wall seconds until all ended."""
    threads = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=join_timeout)
    return time.perf_counter() - start


class Stats:
    """Latency per step and outcome counts, shared by every client thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()

    def record(self, step: str, seconds: float | None, status: int | str) -> None:
        with self.lock:
            if seconds is not None:
                self.times[step].append(seconds)
            self.statuses[status] += 1

    def percentiles(self) -> dict[str, dict[str, float]]:
        """Per step: n and p50, p95, p99 in milliseconds."""
        table = {}
        for step, values in sorted(self.times.items()):
            row = {"n": len(values)}
            row |= {name: percentile(values, p) * 1000 for name, p in FIGURES}
            table[step] = row
        return table

    def errors(self) -> dict[str, int]:
        return {str(s): n for s, n in self.statuses.items() if not str(s).startswith(("2", "3"))}

    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if str(s).startswith("5"))


class Failed(RuntimeError):
    pass


class Browser:
    """One virtual respondent: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.html = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "Referer": f"http://127.0.0.1:{self.port}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        text = response.read().decode()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        return response.status, text

    def get(self, path: str) -> str:
        status, self.html = self.request("GET", path)
        if status != 200:
            raise Failed(f"GET {path}: {status}")
        return self.html

    def post(self, path: str, form: dict, expect: int = 302) -> str:
        status, text = self.request("POST", path, form)
        if status != expect:
            raise Failed(f"POST {path}: {status} {text[:200]}")
        return text

    def hidden(self, *names: str) -> dict[str, str]:
        found = {}
        for name in names:
            match = re.search(rf'name="{name}"[^>]*?value="([^"]*)"', self.html)
            if match is None:
                raise Failed(f"no {name} in the page")
            found[name] = match.group(1)
        return found


@dataclass
class Result:
    completed: int = 0
    errors: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    first_error: str = ""


def run(port: int | list[int], walk: Step, concurrency: int, seconds: float) -> Result:
    """Run `concurrency` Browsers doing `walk` in a closed loop for `seconds`; given
    several ports (instances of one app), browser n uses port n modulo their number."""
    ports = [port] if isinstance(port, int) else port
    result = Result()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def respondent(number: int) -> None:
        browser = Browser(ports[number % len(ports)])
        latencies, errors, first = [], 0, ""
        for _ in rounds(deadline):
            began = time.perf_counter()
            try:
                walk(browser)
            except (Failed, http.client.HTTPException, OSError) as error:
                errors += 1
                first = first or repr(error)
                continue
            latencies.append((time.perf_counter() - began) * 1000)
        browser.conn.close()
        with lock:
            result.latencies_ms.extend(latencies)
            result.completed += len(latencies)
            result.errors += errors
            result.first_error = result.first_error or first

    result.seconds = in_threads(concurrency, respondent, join_timeout=seconds + 60)
    return result
