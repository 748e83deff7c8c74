"""The rating matrix: a compact grid on a desktop (one screen for cmo's ten items, a sticky
header of scale points, every row a radio group done with Tab and the arrow keys), stacked
boxes on a phone; the required mark never alone on a line."""

from __future__ import annotations

import pytest

from tests.browser.answers import COMMONNESS, cmo_pages, merged
from tests.browser.helpers import axe_check, key, press, stored_answers, submission_key, tab_to

MATRIX = "/s/cmo?page=2"
POSITIONS = """() => {
  const centre = (el) => { const r = el.getBoundingClientRect(); return r.left + r.width / 2; };
  const head = Array.from(document.querySelectorAll('.matrix-point')).map(centre);
  const rows = Array.from(document.querySelectorAll('.matrix-row')).map(
    (row) => Array.from(row.querySelectorAll('input[type=radio]')).map(centre));
  return {head, rows};
}"""
# For each required mark: whether the last character of the text before it is on its line.
MARK_WITH_TEXT = """() => Array.from(document.querySelectorAll('.req')).map((star) => {
  let node = star.previousSibling;
  while (node && (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim())) {
    node = node.previousSibling;
  }
  const text = node.textContent.trimEnd();
  const range = document.createRange();
  range.setStart(node, text.length - 1);
  range.setEnd(node, text.length);
  const last = range.getBoundingClientRect(), mark = star.getClientRects();
  const onItsLine = mark.length === 1 && Math.abs(last.bottom - mark[0].bottom) < 3;
  return {text: text.slice(-30), onItsLine};
})"""
NARROWED = """(width) => document.querySelectorAll('.req').forEach(
  (star) => { star.parentElement.style.width = width + 'px'; })"""


def scroll_height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def background(page, selector: str) -> str:
    return page.locator(selector).evaluate("(el) => getComputedStyle(el).backgroundColor")


def test_the_cmo_matrix_fits_one_desktop_screen_as_a_grid(new_page, artifacts):
    page = new_page()
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(MATRIX)
    height = scroll_height(page)
    print(f"cmo matrix page at 1280x800: {height} px tall")
    assert height <= 900
    assert overflow(page) <= 0
    page.screenshot(path=artifacts / "cmo-matrix-desktop.png", full_page=True)
    axe_check(page, "cmo-matrix-desktop", artifacts)

    positions = page.evaluate(POSITIONS)
    assert len(positions["head"]) == len(COMMONNESS) and len(positions["rows"]) == 10
    for row in positions["rows"]:  # every radio under its scale point
        assert [abs(a - b) < 2 for a, b in zip(row, positions["head"], strict=True)] == [True] * 4
    assert page.locator(".option-label").first.bounding_box()["width"] <= 1  # named, not shown
    assert failed == []  # the favicon too


def test_the_header_sticks_and_rows_light_up(new_page):
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 480})
    page.goto(MATRIX)
    last = page.locator(".matrix-row").last
    last.scroll_into_view_if_needed()
    head = page.locator(".matrix-head").bounding_box()
    assert abs(head["y"]) < 1 and page.locator(".matrix-head").is_visible()
    assert last.bounding_box()["y"] > head["y"] + head["height"] - 1  # not under the header

    plain = background(page, ".matrix-row >> nth=3")
    page.locator(".matrix-row >> nth=3 >> legend").hover()
    assert background(page, ".matrix-row >> nth=3") != plain
    page.mouse.move(0, 0)
    assert background(page, ".matrix-row >> nth=3") == plain


def pick(page, name: str, scale: list[str], value: str, across: str = "ArrowDown") -> None:
    """Tab into a radio group (its first option), Space or the arrow keys to the value."""
    focused = tab_to(page, lambda f: f["name"] == name)
    assert focused["value"] == scale[0]
    if value == scale[0]:
        focused = key(page, "Space")
    for _ in range(scale.index(value)):
        focused = key(page, across)
    assert focused["value"] == value
    assert page.locator(f"input[name='{name}'][value='{value}']").is_checked()


def next_page(page, label: str) -> None:
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == label)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_grid_is_completed_with_the_keyboard_alone(new_page, live_server, artifacts):
    page = new_page()
    pages = cmo_pages(comments="Done with the keyboard.")
    page.goto("/s/cmo")
    token = submission_key(page)
    assert key(page, "Tab")["text"] == "Skip to content"
    pick(page, "manufactures_for_clients", ["yes", "no"], "yes")
    pick(page, "company_size", ["small", "medium", "large"], pages[0]["company_size"])
    pick(page, "region", ["north_america", "europe", "asia", "other"], pages[0]["region"])
    next_page(page, "Next")

    for number, (name, value) in enumerate(pages[1].items()):
        pick(page, name, COMMONNESS, value, across="ArrowRight")
        row = f".matrix-row >> nth={number}"
        assert background(page, row) != "rgba(0, 0, 0, 0)"  # the row in hand stands out
        if number == 4:
            key(page, "ArrowLeft")  # left and right stay within the row
            assert key(page, "ArrowRight")["value"] == value
            page.screenshot(path=artifacts / "cmo-matrix-keyboard-desktop.png")
    next_page(page, "Next")

    tab_to(page, lambda f: f["name"] == "comments")
    page.keyboard.type(pages[2]["comments"])
    next_page(page, "Submit")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert stored_answers(live_server.db, token) == merged(pages)


def test_the_grid_reports_rows_left_out_in_their_row(new_page, artifacts):
    page = new_page()
    page.goto(MATRIX)
    page.locator("label.option", has=page.locator("input[value='rare']")).first.click()
    press(page, "Next")
    assert page.locator(".matrix-row.has-error").count() == 9
    assert page.locator(".matrix-row >> nth=1 >> .error").inner_text() == (
        "Please answer this question."
    )
    page.screenshot(path=artifacts / "cmo-matrix-errors-desktop.png", full_page=True)
    axe_check(page, "cmo-matrix-errors-desktop", artifacts)


def test_the_matrix_stacks_on_a_phone(new_page, artifacts):
    page = new_page(phone=True)
    page.goto(MATRIX)
    assert overflow(page) <= 0
    assert not page.locator(".matrix-head").is_visible()
    assert page.locator(".option-label").first.is_visible()
    boxes = [page.locator(".matrix-row >> nth=0 >> label.option").nth(i).bounding_box()
             for i in range(len(COMMONNESS))]  # fmt: skip
    assert all(
        b["y"] > a["y"] for a, b in zip(boxes, boxes[1:], strict=False)
    )  # one under the other
    page.screenshot(path=artifacts / "cmo-matrix-phone.png", full_page=True)
    axe_check(page, "cmo-matrix-phone", artifacts)


@pytest.mark.parametrize("path", ["/s/cmo?page=1", MATRIX, "/s/client?page=1"])
def test_the_required_mark_never_stands_alone_on_a_phone(new_page, path):
    page = new_page(phone=True)
    page.goto(path)
    marks = page.evaluate(MARK_WITH_TEXT)
    assert marks and all(m["onItsLine"] for m in marks), marks
    for width in range(80, 330, 3):  # every wrap a question's text can take at phone width
        page.evaluate(NARROWED, width)
        alone = [m for m in page.evaluate(MARK_WITH_TEXT) if not m["onItsLine"]]
        assert not alone, alone
