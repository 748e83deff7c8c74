"""What the bench scripts and the reliability tests share: browser-like respondents and
admin pollers (requests sessions, CSRF tokens read from the HTML), run by the load
generator of bench/loadgen.py. The server is in bench/server.py, the checks on the
database in bench/report.py."""

from __future__ import annotations

import html as markup
import random
import re
import threading
import time
from dataclasses import dataclass, field

import requests

from bench.loadgen import Stats, in_threads, rounds
from surveyapp import SHIPPED_SURVEYS
from surveyapp.questionnaire.expressions import evaluate, truthy
from surveyapp.questionnaire.loader import definition_files, load_all
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY

# The first of these that answers 200 after logging in is polled by the admin clients.
ADMIN_POLL_PATHS = ("/admin/surveys/{survey}/tallies.json", "/admin/")
ADMIN_USER = "bench-admin"
ADMIN_PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway account on a temporary database
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]*)"')
# A patient respondent (Load.patient) reloads a page answered with one of these (an app host
# died; the database restarting) and sends again a form refused with NOT_SAVED (503).
RELOADED = {"GET": (502, 503, 504), "POST": (502, 504)}
NOT_SAVED = "We could not save your answers just now"
NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


def shipped_definitions() -> list[Definition]:
    catalog = load_all(definition_files(SHIPPED_SURVEYS))
    return [editions[max(editions)] for _id, editions in sorted(catalog.items())]


def _screens_out(question, name: str, code: str) -> bool:
    """Whether answering `code` alone would end the questionnaire (a screening question)."""
    rule = question.screen_out
    return rule is not None and truthy(evaluate(rule.tree, {name: code}))


def answers_for(definition: Definition, rng: random.Random) -> list[dict[str, str | list[str]]]:
    """Valid random answers, one dict of form fields per page."""
    pages = []
    for page in definition.pages:
        values: dict[str, str | list[str]] = {}
        for q in page.questions:
            kind = REGISTRY[q.type]
            tallied = dict(kind.tallied(q))
            for name in kind.field_names(q):
                if name in tallied:
                    codes = [o.code for o in tallied[name] if not _screens_out(q, name, o.code)]
                    picks = rng.sample(codes, int(q.settings.get("min_picks") or 1))
                    values[name] = picks if q.type == "multiple_choice" else picks[0]
                elif q.type == "number":
                    values[name] = str(q.settings.get("minimum", 1))
                else:
                    values[name] = rng.choice(["", "Fine.", "Late deliveries, twice.", "ok"])
        pages.append(values)
    return pages


def answers_kept(page: str, answers: dict[str, str | list[str]]) -> bool:
    """Whether `page` shows every posted answer again: options checked, text filled in."""
    for name, value in answers.items():
        options = re.findall(rf'<input type="(?:radio|checkbox)" name="{name}"[^>]*>', page)
        for one in [v for v in (value if isinstance(value, list) else [value]) if v]:
            shown = markup.escape(one)
            if not any(f'value="{shown}"' in o and " checked" in o for o in options) if options \
                    else shown not in page:  # fmt: skip
                return False
    return True


@dataclass
class Outcome:
    key: str
    result: str  # "thanks", "again" or an error ("status 503", "network")
    submit_retried: bool = False
    not_saved: int = 0  # "could not save just now" pages on the way (sent again)
    not_kept: int = 0  # of those, pages that lost an answer


class StepFailed(Exception):
    def __init__(self, message: str, response: requests.Response | None = None):
        super().__init__(message)
        self.response = response


class Respondent:
    """One browser: a requests.Session walking whole questionnaires."""

    def __init__(self, base: str, stats: Stats, rng: random.Random, retries: int = 0,
                 think: float = 0.0, patient: bool = False):  # fmt: skip
        self.base, self.stats, self.rng, self.retries = base, stats, rng, retries
        self.think, self.patient = think, patient
        self.session = requests.Session()
        self.html = ""
        self.retried = False
        self.not_saved = self.not_kept = 0

    def _send(self, step: str, method: str, path: str, expect: int, **kwargs) -> requests.Response:
        for attempt in range(self.retries + 1):
            start = time.perf_counter()
            try:
                response = self.session.request(
                    method, self.base + path, timeout=15, allow_redirects=False, **kwargs
                )
            except NETWORK_ERRORS as exc:
                self.stats.record(step, None, network_status(exc))
                self.retried = True
                if attempt == self.retries:
                    raise StepFailed("network") from None
                time.sleep(0.2)
                continue
            self.stats.record(step, time.perf_counter() - start, response.status_code)
            if self.patient and response.status_code in RELOADED[method] and attempt < self.retries:
                self.retried = True
                time.sleep(0.2)
                continue
            if response.status_code != expect:
                raise StepFailed(f"status {response.status_code}", response)
            return response
        raise StepFailed("unreachable")

    def _get_page(self, path: str) -> None:
        self.html = self._send("GET page", "GET", path, 200).text

    def _post(self, step: str, path: str, action: str, answers: dict) -> str:
        if self.think:
            time.sleep(self.rng.uniform(0, 2 * self.think))
        for _ in range(self.retries + 1):
            data = {"csrf_token": TOKEN.search(self.html).group(1), "action": action,
                    "submission_key": KEY.search(self.html).group(1), **answers}  # fmt: skip
            try:
                return self._send(step, "POST", path, 302, data=data).headers["Location"]
            except StepFailed as exc:
                if not self._not_saved(exc.response, answers):
                    raise
            time.sleep(0.5)
        raise StepFailed("never saved")

    def _not_saved(self, response: requests.Response | None, answers: dict) -> bool:
        """Whether a 503 refused the form, to send again (kept: NOT_SAVED, answers shown)."""
        if not self.patient or response is None or response.status_code != 503:
            return False
        self.not_saved += 1
        page = response.text if NOT_SAVED in response.text else ""
        self.not_kept += not (page and answers_kept(page, answers))
        self.html = page or self.html  # else Back to the form, as a browser keeps it
        return True

    def walk(self, definition: Definition) -> Outcome:
        """Every page, Back once from page 2, Submit; then the thank-you page."""
        pages = answers_for(definition, self.rng)
        url = f"/s/{definition.id}"
        key = ""
        try:
            self._get_page(f"{url}?page=1")
            key = KEY.search(self.html).group(1)
            number, went_back = 1, False
            while number < len(pages):
                if number == 2 and not went_back:
                    self._get_page(self._post("POST back", f"{url}?page=2", "back", pages[1]))
                    went_back, number = True, 1
                    continue
                answers = pages[number - 1]
                self._get_page(self._post("POST next", f"{url}?page={number}", "next", answers))
                number += 1
            self.retried = False
            location = self._post("POST submit", f"{url}?page={number}", "submit", pages[-1])
            retried = self.retried
            text = self._send("GET thanks", "GET", location, 200).text
            again = "again=1" in location
            if ("already received" if again else "has been received") not in text:
                return Outcome(key, "wrong thank-you text", retried)
            return Outcome(key, "again" if again else "thanks", retried,
                           self.not_saved, self.not_kept)  # fmt: skip
        except StepFailed as exc:
            return Outcome(key, str(exc), False, self.not_saved, self.not_kept)


def network_status(exc: Exception) -> str:
    """How a request that got no answer is counted: "timeout" or "network"."""
    return "timeout" if isinstance(exc, requests.Timeout) else "network"


def login(base: str, stats: Stats) -> requests.Session | None:
    """Log in as the bench admin like a browser; None when that failed."""
    session = requests.Session()
    try:
        html = session.get(base + "/admin/login", timeout=15).text
        start = time.perf_counter()
        response = session.post(
            base + "/admin/login",
            data={"csrf_token": TOKEN.search(html).group(1), "username": ADMIN_USER,
                  "password": ADMIN_PASSWORD},
            timeout=15, allow_redirects=False,
        )  # fmt: skip
        stats.record("admin login", time.perf_counter() - start, response.status_code)
        return session if response.status_code == 302 else None
    except (*NETWORK_ERRORS, AttributeError):
        stats.record("admin login", None, "admin login failed")
        return None


def admin_login(base: str, stats: Stats) -> tuple[requests.Session, str] | None:
    """Log in like a browser; return the session and the live admin URL it may poll."""
    session = login(base, stats)
    if session is None:
        return None
    survey = shipped_definitions()[0].id
    paths = [p.format(survey=survey) for p in ADMIN_POLL_PATHS]
    try:
        return session, next(p for p in paths if session.get(base + p, timeout=15).ok)
    except (*NETWORK_ERRORS, StopIteration):
        stats.record("admin login", None, "admin login failed")
        return None


def admin_poller(
    base: str, login: tuple[requests.Session, str], stats: Stats, stop: threading.Event
) -> None:
    """Poll the live admin URL every second with If-None-Match, as the page's script does."""
    session, path = login
    etag = None
    while not stop.wait(1.0):
        start = time.perf_counter()
        try:
            headers = {"If-None-Match": etag} if etag else {}
            response = session.get(base + path, headers=headers, timeout=15)
        except NETWORK_ERRORS as exc:
            stats.record("admin poll", None, network_status(exc))
            continue
        stats.record("admin poll", time.perf_counter() - start, response.status_code)
        etag = response.headers.get("ETag", etag)


@dataclass
class Load:
    """Respondent and admin threads against a running server, bounded in time and walks."""

    base: str
    seconds: float
    respondents: int = 32
    admins: int = 20
    retries: int = 0
    think: float = 0.0
    max_walks: int = 100_000
    seed: int = 1
    surveys: tuple[str, ...] = ()  # questionnaire ids respondents pick from; () for all
    patient: bool = False  # respondents reload a proxy's 502 and resend a "could not save"
    stats: Stats = field(default_factory=Stats)
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0

    def run(self) -> Load:
        definitions = [d for d in shipped_definitions() if d.id in (self.surveys or [d.id])]
        stop = threading.Event()
        lock = threading.Lock()
        # Admin pages are already open when respondents arrive: log in first (a password
        # hash each), so the login burst is not counted in the respondents' latencies.
        logins = [admin_login(self.base, self.stats) for _ in range(self.admins)]
        logins = [login for login in logins if login]
        deadline = time.perf_counter() + self.seconds

        def respondent(number: int) -> None:
            rng = random.Random(self.seed * 1000 + number)  # noqa: S311
            for _ in rounds(deadline, self.max_walks):
                outcome = Respondent(
                    self.base, self.stats, rng, self.retries, self.think, self.patient
                ).walk(rng.choice(definitions))
                with lock:
                    self.outcomes.append(outcome)

        pollers = [
            threading.Thread(target=admin_poller, args=(self.base, login, self.stats, stop))
            for login in logins
        ]
        for thread in pollers:
            thread.start()
        self.elapsed = in_threads(self.respondents, respondent)
        stop.set()
        for thread in pollers:
            thread.join()
        return self

    def count(self, result: str) -> int:
        return sum(o.result == result for o in self.outcomes)
