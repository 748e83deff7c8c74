"""The builder in Chromium: a three-page questionnaire built with the mouse at desktop
width, another with the keyboard alone at phone width; each is published and answered.
Every builder page passes axe-core with no violation at all, fits the screen, and is
photographed into tests/artifacts/."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser import helpers
from tests.browser.helpers import FOCUSED, axe_check, complete

MAX_TABS = 250


def check(page, name: str, artifacts) -> None:
    """Fits the width, axe finds nothing at all (not even a minor issue), screenshot."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px"
    page.screenshot(path=artifacts / f"{name}.png", full_page=True)
    summary = axe_check(page, name, artifacts)
    assert summary.endswith("all violations: none"), summary


def go(page, action) -> None:
    with page.expect_navigation():
        action()


def add_question(page, number: int, type_label: str, text: str) -> None:
    box = page.get_by_role("group", name=f"New question on page {number}")
    box.get_by_label("Type").select_option(label=type_label)
    box.get_by_label("Question text").fill(text)
    go(page, box.get_by_role("button", name="Add question").click)


def build_with_the_mouse(page, artifacts) -> None:
    """Create "mouse" and its three pages of questions from the list page."""
    go(page, page.get_by_role("link", name="Questionnaires", exact=True).click)
    check(page, "builder-list-desktop", artifacts)
    go(page, page.get_by_role("link", name="New questionnaire").click)
    check(page, "builder-new-desktop", artifacts)
    page.get_by_label("Id", exact=True).fill("mouse")
    page.get_by_label("Title").fill("Built with the mouse")
    go(page, page.get_by_role("button", name="Create questionnaire").click)
    page.get_by_label("Title of page 1").fill("About you")
    add_question(page, 1, "single choice", "Do you work on site?")
    add_question(page, 1, "short text", "What is your job title?")
    page.get_by_label("Page title").fill("Your work")
    go(page, page.get_by_role("button", name="Add page").click)
    add_question(page, 2, "rating matrix", "How do you rate these?")
    add_question(page, 2, "number", "How many years have you worked there?")
    page.get_by_label("Page title").fill("Last words")
    go(page, page.get_by_role("button", name="Add page").click)
    add_question(page, 3, "long text", "Anything else?")
    check(page, "builder-editor-desktop", artifacts)


def edit_with_the_mouse(page, artifacts) -> None:
    """A matrix item added, a refused value shown at its field, the scale, the settings
    and the text editor."""
    go(page, page.get_by_role("link", name="How do you rate these?").click)
    page.get_by_label("Label", exact=True).first.fill("Tools")
    page.get_by_role("group", name="New item").get_by_label("Label", exact=True).fill("Colleagues")
    go(page, page.get_by_role("button", name="Add item").click)
    assert page.locator("#f-items-1-label").input_value() == "Colleagues"
    check(page, "builder-question-desktop", artifacts)
    go(page, page.get_by_role("link", name="Back to the outline").click)
    go(page, page.get_by_role("link", name="How many years have you worked there?").click)
    page.get_by_label("Smallest answer allowed").fill("a few")
    go(page, page.get_by_role("button", name="Save question").first.click)
    assert page.locator("#f-min-error").inner_text() == "must be a number, not 'a few'"
    check(page, "builder-question-errors-desktop", artifacts)
    page.get_by_label("Smallest answer allowed").fill("0")
    go(page, page.get_by_role("button", name="Save question").first.click)
    go(page, page.get_by_role("link", name="Editor", exact=True).click)
    go(page, page.get_by_role("link", name="agreement").click)
    check(page, "builder-scale-desktop", artifacts)
    go(page, page.get_by_role("link", name="Settings", exact=True).click)
    page.get_by_label("Introduction").fill("Three short pages.")
    go(page, page.get_by_role("button", name="Save settings").click)
    check(page, "builder-settings-desktop", artifacts)
    go(page, page.get_by_role("link", name="YAML text").click)
    assert "Three short pages." in page.get_by_label("Definition").input_value()
    check(page, "builder-text-desktop", artifacts)


def preview_and_publish(page, artifacts) -> None:
    go(page, page.get_by_role("link", name="Preview", exact=True).click)
    assert page.locator("p.progress").inner_text() == "Page 1 of 3"
    check(page, "builder-preview-desktop", artifacts)
    go(page, page.get_by_role("button", name="Next").click)
    assert page.locator(".error-summary").is_visible()  # the respondents' own checks
    check(page, "builder-preview-errors-desktop", artifacts)
    go(page, page.get_by_role("link", name="Publish", exact=True).click)
    check(page, "builder-publish-desktop", artifacts)
    go(page, page.get_by_role("button", name="Publish").click)
    assert page.locator("[data-published]").is_visible()


def test_three_pages_built_with_the_mouse_at_desktop(admin_page, new_page, live_server, artifacts):
    page = admin_page()
    build_with_the_mouse(page, artifacts)
    edit_with_the_mouse(page, artifacts)
    preview_and_publish(page, artifacts)
    respondent = new_page()
    answers = [
        {"q1": "option_1", "q2": "Engineer"},
        {"q3-item_1": "agree", "q3-colleagues": "strongly_agree", "q4": "7"},
        {"q5": "Built and answered."},
    ]
    complete(respondent, "mouse", answers)
    rows = live_server.responses("mouse")
    assert len(rows) == 1
    assert json.loads(rows[0]["answers"]) == {k: v for a in answers for k, v in a.items()}

    go(page, page.get_by_role("link", name="YAML text").click)
    text = page.get_by_label("Definition")
    text.fill(text.input_value().replace("text: Anything else?", "text: Anything more?"))
    go(page, page.get_by_role("button", name="Save text").click)
    go(page, page.get_by_role("link", name="Publish", exact=True).click)
    assert page.get_by_text("wording changed").is_visible()
    check(page, "builder-publish-confirm-desktop", artifacts)
    page.get_by_label("I confirm").check()
    go(page, page.get_by_role("button", name="Publish").click)
    assert page.locator("pre.diff del").inner_text() == "-    text: Anything else?"
    check(page, "builder-history-desktop", artifacts)


def key(page, name: str) -> dict:
    """A key press on builder pages, long enough that Tab may pass the last element."""
    return helpers.key(page, name, leaving_ok=True)


def tab_to(page, wanted) -> dict:
    return helpers.tab_to(page, wanted, MAX_TABS, leaving_ok=True)


def field(name: str):
    return lambda f: f["name"] == name


def button(text: str):
    return lambda f: f["tag"] in ("button", "a") and f["text"] == text


def type_into(page, name: str, text: str) -> None:
    tab_to(page, field(name))
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def enter(page, wanted) -> None:
    tab_to(page, wanted)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def add_by_keyboard(page, p: int, type_label: str, text: str) -> None:
    tab_to(page, field(f"new-{p}-type"))
    page.keyboard.type(type_label)  # a focused select picks the option typed
    type_into(page, f"new-{p}-text", text)
    with page.expect_navigation():  # Enter in a text box: the form's first button, Save
        page.keyboard.press("Enter")


def test_a_questionnaire_built_with_the_keyboard_alone_at_phone_width(
    admin_page, live_server, artifacts
):
    page = admin_page(phone=True)
    page.goto("/admin/questionnaires")
    check(page, "builder-list-phone", artifacts)
    enter(page, button("New questionnaire"))
    type_into(page, "id", "keys")
    type_into(page, "title", "Typed, never clicked")
    enter(page, button("Create questionnaire"))
    check(page, "builder-editor-new-phone", artifacts)

    type_into(page, "page-0-title", "Start")
    add_by_keyboard(page, 0, "dropdown", "Which team?")
    add_by_keyboard(page, 0, "short", "Your name?")
    enter(page, button("Down question 1 of page 1"))
    expect(page.locator("body")).not_to_be_focused()  # polled outside the page: no eval
    focused = page.evaluate(FOCUSED)  # the focus follows the question moved
    assert focused["text"] == "Down question 2 of page 1", focused
    for p, title, type_label, text in (
        (1, "Middle", "multiple", "Which tools?"),
        (2, "End", "long", "Comments?"),
    ):
        type_into(page, "new-page-title", title)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(f"#page-{p}")
        add_by_keyboard(page, p, type_label, text)
    check(page, "builder-editor-phone", artifacts)

    enter(page, button("Which tools?"))
    type_into(page, "max_picks", "1")
    enter(page, button("Save question"))
    check(page, "builder-question-phone", artifacts)
    enter(page, button("Preview"))
    check(page, "builder-preview-phone", artifacts)
    enter(page, button("Publish"))
    check(page, "builder-publish-phone", artifacts)
    enter(page, lambda f: f["tag"] == "button" and f["text"] == "Publish")
    check(page, "builder-history-phone", artifacts)

    page.goto("/s/keys")
    assert page.locator("h2.page-title").inner_text() == "Start"
    labels = page.locator("label").all_inner_texts()
    assert labels.index("Your name?") < labels.index("Which team?\u00a0*")  # mark held to its word
    stored = live_server.db.execute(
        "SELECT count(*) FROM definitions WHERE survey = 'keys'"
    ).fetchone()[0]
    assert stored == 1
