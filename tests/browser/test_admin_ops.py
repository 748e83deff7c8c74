"""Invitations, accounts and public links in Chromium, with the keyboard only, at
1280x800 and 360x740: a bad line named, links made and copied, their CSV downloaded, an
account created; axe-clean, no horizontal scroll, screenshots in tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from surveyapp import SHIPPED_SURVEYS, create_app, store
from surveyapp.store import accounts
from surveyapp.store.accounts import hash_password
from tests.browser.conftest import ADMIN_PASSWORD, ADMIN_USER, DESKTOP, PHONE, LiveServer, served
from tests.browser.helpers import axe_check, logged_in_pages, tab_to

INVITED = Path(__file__).resolve().parent.parent / "invite_questionnaires"
SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def ops_server(tmp_path_factory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("ops")
    app = create_app({"SECRET_KEY": "browser-ops", "DATABASE": str(folder / "live.db"),
                      "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS), str(INVITED)]},
                     init_db=True)  # fmt: skip
    db = store.thread_connection(app.config["DATABASE"])
    accounts.create_admin(db, ADMIN_USER, hash_password(ADMIN_PASSWORD), "admin")
    yield from served(app)


@pytest.fixture
def ops_page(browser, ops_server):
    pages = logged_in_pages(browser, ops_server.url, ADMIN_USER, ADMIN_PASSWORD)
    open_page = next(pages)

    def make(size: str) -> Page:
        phone = size == "phone"
        return open_page(viewport=SIZES[size], has_touch=phone, is_mobile=phone,
                         accept_downloads=True,
                         permissions=["clipboard-read", "clipboard-write"])  # fmt: skip

    yield make
    next(pages, None)


def check(page: Page, name: str, size: str, artifacts: Path) -> None:
    width = SIZES[size]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    page.screenshot(path=artifacts / f"admin-{name}-{size}.png", full_page=True)
    axe_check(page, f"admin-{name}-{size}", artifacts)


def named(name: str):
    return lambda focused: focused["name"] == name


def text_is(text: str):
    return lambda focused: focused["text"].startswith(text)


def submit_with_enter(page: Page, button: str) -> None:
    tab_to(page, text_is(button), budget=12)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("size", list(SIZES))
def test_invitations_with_the_keyboard(ops_page, ops_server, artifacts, size):
    page = ops_page(size)
    page.goto("/admin/surveys/named/invitations")
    tab_to(page, named("emails"), budget=40)
    page.keyboard.type(f"ada.{size}@example.org\nbob@\n")
    submit_with_enter(page, "Make links")
    lines = page.locator("#f-emails-lines")
    expect(lines).to_contain_text("line 2: 'bob@' is not an email address")
    assert page.locator("#f-emails").input_value() == f"ada.{size}@example.org\nbob@"
    check(page, "invitations-error", size, artifacts)
    page.locator("#f-emails").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(f"ada.{size}@example.org, bob.{size}@example.com")
    submit_with_enter(page, "Make links")
    links = page.locator("input[id^=link-]")
    expect(links).to_have_count(2)
    first = links.first.input_value()
    assert first.startswith("http://127.0.0.1:5000/i/")
    page.locator("#made-title").focus()
    tab_to(page, text_is("Download the links as CSV"), budget=5)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    text = Path(download.value.path()).read_text("utf-8").splitlines()
    assert text[0] == "link,email,expires_at" and text[1].startswith(f"{first},ada.{size}@")
    tab_to(page, text_is("Copy the link"), budget=6)
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == first
    check(page, "invitations-made", size, artifacts)
    emails = [r["email"] for r in ops_server.db["invitations"].rows]
    assert f"ada.{size}@example.org" in emails and f"bob.{size}@example.com" in emails


@pytest.mark.parametrize("size", list(SIZES))
def test_an_account_with_the_keyboard(ops_page, ops_server, artifacts, size):
    page = ops_page(size)
    page.goto("/admin/users")
    tab_to(page, named("username"), budget=30)
    page.keyboard.type(f"lin-{size}")
    page.keyboard.press("Tab")
    page.keyboard.press("a")  # the role list: admin
    page.keyboard.press("Tab")
    page.keyboard.type("short")
    submit_with_enter(page, "Create account")
    expect(page.locator("#new-password-error")).to_contain_text("at least 12 characters")
    assert page.locator("#new-username").input_value() == f"lin-{size}"
    assert page.locator("#new-role").input_value() == "admin"
    check(page, "accounts-error", size, artifacts)
    page.locator("#new-password-field").focus()
    page.keyboard.type("violet tractor 42 morning")
    submit_with_enter(page, "Create account")
    expect(page.locator(".msg-success .msg-body")).to_have_text(
        f"Done: Account lin-{size} (admin) created."
    )
    assert accounts.get_admin(ops_server.db, f"lin-{size}")["role"] == "admin"
    check(page, "accounts", size, artifacts)


@pytest.mark.parametrize("size", list(SIZES))
def test_public_links_and_qr_codes(ops_page, artifacts, size):
    page = ops_page(size)
    page.goto("/admin/")
    expect(page.locator("#link-cmo")).to_have_value("http://127.0.0.1:5000/s/cmo")
    qr = page.get_by_role("img", name="QR code of the public link of", exact=False).first
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.get_by_text("Edition 2026 is invitation-only")).to_have_count(2)
    page.get_by_role("button", name="Copy the link of").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("p[role=status][id^=copied-]").first).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()").startswith("http://127.0.0.1:5000/s/")
    check(page, "dashboard-links", size, artifacts)
    page.goto("/admin/surveys/cmo")
    expect(page.locator("#link-cmo")).to_have_value("http://127.0.0.1:5000/s/cmo")
    check(page, "survey-link", size, artifacts)
