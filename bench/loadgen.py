"""A small closed-loop HTTP load generator: keep-alive connections, cookies, threads.

Each virtual respondent owns one http.client connection and its cookies, and
repeats one "completed response" (a list of GET/POST steps) until the deadline.
It is deliberately lean so the client costs every target the same little CPU.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

Step = Callable[["Browser"], None]


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


def run(port: int, walk: Step, concurrency: int, seconds: float) -> Result:
    """Run `concurrency` respondents doing `walk` in a closed loop for `seconds`."""
    result = Result()
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def respondent() -> None:
        browser = Browser(port)
        latencies, errors, first = [], 0, ""
        for _ in range(10_000_000):  # bounded; the deadline ends it long before
            began = time.perf_counter()
            if began >= deadline:
                break
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

    threads = [threading.Thread(target=respondent) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    result.seconds = time.perf_counter() - start
    return result


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
