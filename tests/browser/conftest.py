"""Browser fixtures: one live server and one Chromium per test session (per xdist worker),
a fresh browser context for every page a test opens."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from surveyapp import SHIPPED_SURVEYS, create_app, store
from surveyapp.store import accounts
from surveyapp.store.accounts import hash_password
from tests.browser.helpers import watch

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
ADMIN_USER, ADMIN_PASSWORD = "browser-admin", "correct horse battery staple"


class LiveServer:
    def __init__(self, app, server) -> None:
        self.app = app
        self.url = f"http://127.0.0.1:{server.server_port}"

    @property
    def db(self):
        return store.thread_connection(self.app.config["DATABASE"])

    def responses(self, survey: str) -> list[dict]:
        return [row for row in self.db["responses"].rows if row["survey"] == survey]


def served(app) -> Iterator[LiveServer]:
    """Serve `app` on 127.0.0.1 on a free port in a thread until the generator is closed
    (a fixture's `yield from served(app)`)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, server)
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    store.close_thread_connections()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app on 127.0.0.1 on a free port, with its own database and one admin account."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret",
            "DATABASE": str(folder / "live.db"),
            "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS)],
        },
        init_db=True,
    )
    accounts.create_admin(
        store.thread_connection(app.config["DATABASE"]),
        ADMIN_USER,
        hash_password(ADMIN_PASSWORD),
        "admin",
    )
    yield from served(app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """new_page(phone=False, **context_options): a page in its own context (own cookies), at
    1280x800 with a mouse, or at 360x740 with touch emulation. A script error, a console error
    (a CSP refusal, say) or a request leaving the test server fails the test."""
    contexts, problems = [], []

    def watch_request(request) -> None:
        if not request.url.startswith((live_server.url, "data:", "about:")):
            problems.append(f"request off the test server: {request.url}")

    def make(phone: bool = False, **context_options) -> Page:
        options = {"viewport": PHONE, "has_touch": True, "is_mobile": True} if phone else {}
        context = browser.new_context(
            base_url=live_server.url,
            viewport=options.pop("viewport", DESKTOP),
            **options,
            **context_options,
        )
        context.set_default_timeout(10_000)
        context.on("request", watch_request)
        contexts.append(context)
        return watch(context.new_page(), problems)

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def admin_page(new_page, live_server: LiveServer) -> Callable[..., Page]:
    """admin_page(phone=False): a page in its own context, logged in through the log-in form."""

    def make(phone: bool = False) -> Page:
        page = new_page(phone=phone)
        page.goto("/admin/login")
        page.get_by_label("Username").fill(ADMIN_USER)
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        assert page.url.startswith(f"{live_server.url}/admin"), page.url
        assert not page.get_by_label("Password").count(), "still on the log-in page"
        return page

    return make


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_sessionstart(session) -> None:
    if not hasattr(session.config, "workerinput"):  # the xdist controller, or a plain run
        shutil.rmtree(ARTIFACTS / "axe", ignore_errors=True)


def pytest_terminal_summary(terminalreporter) -> None:
    """The axe-core summary of every page checked in this run (from every xdist worker)."""
    lines = sorted(
        path.read_text(encoding="utf-8").strip() for path in (ARTIFACTS / "axe").glob("*.txt")
    )
    if lines:
        terminalreporter.section("axe-core per page")
        for line in lines:
            terminalreporter.write_line(line)
