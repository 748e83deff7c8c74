"""What the browser tests share: axe checks, focus-ring checks, reading the stored answers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from surveyapp import store

BLOCKING = ("serious", "critical")
THANKS = re.compile(r"/s/\w+/thanks")
_axe = Axe()

FOCUS_RING = """() => {
  const visible = (el) => {
    if (!el) return false;
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    return outline || (s.boxShadow && s.boxShadow !== 'none');
  };
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return visible(el) || visible(el.closest('label')) || visible(el.closest('.option'));
}"""


def axe_check(page: Page, name: str, artifacts: Path) -> str:
    """Run axe-core (bundled with axe-playwright-python, no network) on the page as it is;
    record and return a one-line summary; fail on any serious or critical violation."""
    violations = _axe.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    counts = ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations)
    summary = f"axe {name}: {len(blocking)} serious/critical; all violations: {counts or 'none'}"
    folder = artifacts / "axe"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.txt").write_text(summary + "\n", encoding="utf-8")
    print(summary)
    details = [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in blocking
    ]
    assert not blocking, json.dumps(details, indent=1)
    return summary


def focus_ring_visible(page: Page) -> bool | None:
    """True when the focused element (or its label) draws an outline or a box shadow;
    None when nothing is focused."""
    return page.evaluate(FOCUS_RING)


def submission_key(page: Page) -> str:
    return page.locator("input[name=submission_key]").input_value()


def stored_answers(db, key: str) -> dict:
    """The answers of the one response stored under this submission key."""
    response_id = store.response_for_key(db, key)
    assert response_id is not None, "no response stored under this key"
    rows = [row for row in db["responses"].rows if row["response_id"] == response_id]
    assert len(rows) == 1
    return json.loads(rows[0]["answers"])


def option(page: Page, name: str, value: str):
    return page.locator(f"input[name='{name}'][value='{value}']")


def answer_page(page: Page, answers: dict[str, str], tap: bool = False) -> None:
    """Pick each radio by its label, or type into the text box, with the mouse or a finger."""
    for name, value in answers.items():
        choice = option(page, name, value)
        if choice.count():
            target = page.locator("label.option", has=choice)
        else:
            target = page.locator(f"[name='{name}']")
        target.tap() if tap else target.click()
        if not choice.count():
            target.fill(value)


def press(page: Page, button: str, tap: bool = False) -> None:
    """Press a form button and wait for the page it leads to."""
    target = page.get_by_role("button", name=button, exact=True)
    with page.expect_navigation():
        target.tap() if tap else target.click()


def assert_kept(page: Page, answers: dict[str, str]) -> None:
    """The page shows these answers (radios checked, text boxes filled)."""
    for name, value in answers.items():
        choice = option(page, name, value)
        if choice.count():
            assert choice.is_checked(), f"{name}={value} is no longer picked"
        else:
            assert page.locator(f"[name='{name}']").input_value() == value, name


def begin(page: Page, survey: str, first: dict[str, str], tap: bool = False) -> str:
    """Open a questionnaire, answer its first page, press Next; return the submission key."""
    page.goto(f"/s/{survey}")
    key = submission_key(page)
    answer_page(page, first, tap=tap)
    press(page, "Next", tap=tap)
    return key


def complete(page: Page, survey: str, pages: list[dict], tap: bool = False, on_page=None) -> str:
    """Answer every page (calling on_page(page) on each) and submit; return the submission key
    the response is stored under."""
    page.goto(f"/s/{survey}")
    key = submission_key(page)
    for number, answers in enumerate(pages, 1):
        assert page.locator("p.progress").inner_text() == f"Page {number} of {len(pages)}"
        if on_page:
            on_page(page)
        answer_page(page, answers, tap=tap)
        press(page, "Submit" if number == len(pages) else "Next", tap=tap)
    page.wait_for_url(THANKS)
    assert page.get_by_role("heading", name="Thank you").is_visible()
    return key


FOCUSED = r"""() => {
  const el = document.activeElement;
  return {tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '',
          value: el.value || '', text: (el.textContent || '').replace(/\s+/g, ' ').trim()};
}"""


def key(page: Page, name: str, leaving_ok: bool = False) -> dict:
    """Press a key, check the focus ring, return what has the focus. With `leaving_ok`,
    focus may pass the page's last element to the body (as in a browser, Tab then comes
    back to the top); anything focused still needs its ring."""
    page.keyboard.press(name)
    focused = page.evaluate(FOCUSED)
    if not (leaving_ok and focused["tag"] == "body"):
        assert focus_ring_visible(page), f"no visible focus ring after {name} on {focused}"
    return focused


def tab_to(page: Page, wanted, budget: int = 12, leaving_ok: bool = False) -> dict:
    """Tab forward (at most `budget` times) until wanted(focused) holds, checking the ring
    on every stop."""
    for _ in range(budget):
        focused = key(page, "Tab", leaving_ok)
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached the element; last focus {focused}")


def watch(page: Page, problems: list[str]) -> Page:
    """Record the page's script errors and console errors in `problems` (the browser logs
    every 4xx page as a failed load; error pages are tested on purpose)."""
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and problems.append(f"console: {m.text}"))  # fmt: skip
    return page


def log_in(page: Page, user: str, password: str) -> None:
    page.goto("/admin/login")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def logged_in_pages(
    browser: Browser, base_url: str, user: str, password: str, watched: bool = True
) -> Iterator[Callable[..., Page]]:
    """For a fixture's `yield from`: open(**context options) gives a page logged in as
    `user`, each in its own context; when `watched`, a script or console error fails the test."""
    contexts, problems = [], []

    def open_page(**options) -> Page:
        context = browser.new_context(base_url=base_url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if watched:
            watch(page, problems)
        log_in(page, user, password)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, problems
