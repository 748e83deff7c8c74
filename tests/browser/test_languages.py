"""Respondents in their own language: the picker (by keyboard), ?lang= and Accept-Language,
every shipped interface language axe-clean at phone and desktop width, Arabic right to
left with its matrices' arrow keys following the reading direction."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from surveyapp import SHIPPED_SURVEYS, create_app
from surveyapp.web.languages import SHIPPED
from tests.browser.answers import cmo_pages, merged
from tests.browser.conftest import DESKTOP, PHONE, LiveServer, served
from tests.browser.helpers import (
    THANKS,
    answer_page,
    axe_check,
    key,
    press,
    stored_answers,
    submission_key,
    tab_to,
    watch,
)
from tests.conftest import TEST_QUESTIONNAIRES

NEXT = {"en": "Next", "fr": "Suivant", "de": "Weiter", "es": "Siguiente", "ja": "次へ",
        "zh": "下一页", "ar": "التالي"}  # fmt: skip


@pytest.fixture(scope="module")
def worldwide(tmp_path_factory) -> Iterator[LiveServer]:
    """A server whose `worldwide` questionnaire declares every shipped interface language."""
    folder = tmp_path_factory.mktemp("worldwide")
    app = create_app(
        {
            "SECRET_KEY": "browser-languages-secret",
            "DATABASE": str(folder / "live.db"),
            "SURVEY_FOLDERS": [str(SHIPPED_SURVEYS), str(TEST_QUESTIONNAIRES / "worldwide")],
        },
        init_db=True,
    )
    yield from served(app)


@pytest.fixture
def open_page(browser: Browser, worldwide: LiveServer) -> Iterator:
    """open_page(phone=False, **context options): a page on the worldwide server in its
    own context; a script or console error fails the test."""
    contexts, problems = [], []

    def make(phone: bool = False, **options) -> Page:
        touch = {"has_touch": True, "is_mobile": True} if phone else {}
        context = browser.new_context(base_url=worldwide.url, viewport=PHONE if phone else DESKTOP,
                                      **touch, **options)  # fmt: skip
        context.set_default_timeout(10_000)
        contexts.append(context)
        return watch(context.new_page(), problems)

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


def html_language(page: Page) -> tuple[str, str]:
    return tuple(page.evaluate("[document.documentElement.lang, document.documentElement.dir]"))


def test_a_french_respondent_picks_french_by_keyboard_and_completes_cmo(
    new_page, live_server, artifacts
):
    page = new_page()
    page.goto("/s/cmo")
    assert html_language(page) == ("en", "ltr")
    key_ = submission_key(page)
    tab_to(page, lambda f: f["tag"] == "select" and f["name"] == "lang")
    page.keyboard.press("ArrowDown")  # English -> Français (a closed select changes at once)
    assert page.locator("#language-picker").input_value() == "fr"
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Change", budget=2)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert html_language(page) == ("fr", "ltr")
    pages = cmo_pages()
    for number, answers in enumerate(pages, 1):
        assert page.locator("p.progress").inner_text() == f"Page {number} sur 3"
        page.screenshot(path=artifacts / f"languages-cmo-fr-page{number}.png", full_page=True)
        answer_page(page, answers)
        press(page, "Envoyer" if number == len(pages) else "Suivant")
    page.wait_for_url(THANKS)
    assert page.get_by_role("heading", name="Merci").is_visible()
    assert html_language(page) == ("fr", "ltr")
    page.screenshot(path=artifacts / "languages-cmo-fr-thanks.png", full_page=True)
    assert stored_answers(live_server.db, key_) == merged(pages)
    [row] = [r for r in live_server.responses("cmo") if r["submission_key"] == key_]
    assert row["language"] == "fr"


def test_lang_in_the_link_selects_german(new_page):
    page = new_page()
    page.goto("/s/cmo?lang=de")
    assert html_language(page) == ("de", "ltr")
    assert page.get_by_role("button", name="Weiter").is_visible()
    assert page.locator("#language-picker").input_value() == "de"


def test_a_japanese_browser_gets_japanese(open_page):
    page = open_page(locale="ja-JP")
    page.goto("/s/worldwide")
    assert html_language(page) == ("ja", "ltr")
    assert page.get_by_role("heading", name="国境を越えて働く").is_visible()
    assert page.locator("p.progress").inner_text() == "2 ページ中 1 ページ目"


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", SHIPPED)
def test_every_interface_language_is_axe_clean(open_page, artifacts, language, phone):
    page = open_page(phone=phone)
    width = "phone" if phone else "desktop"
    page.goto(f"/s/worldwide?lang={language}")
    assert html_language(page) == (language, "rtl" if language == "ar" else "ltr")
    assert page.get_by_role("button", name=NEXT[language]).is_visible()
    assert axe_check(page, f"languages-{language}-{width}", artifacts).endswith("none")
    page.screenshot(path=artifacts / f"languages-{language}-{width}.png", full_page=True)
    with page.expect_navigation():  # the page again, with its errors in the language
        page.get_by_role("button", name=NEXT[language]).click()
    assert page.locator(".error-summary").is_visible()
    assert axe_check(page, f"languages-{language}-errors-{width}", artifacts).endswith("none")
    page.screenshot(path=artifacts / f"languages-{language}-errors-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_arabic_is_mirrored_and_arrow_keys_follow_the_reading_direction(open_page):
    page = open_page()
    page.goto("/s/worldwide?lang=ar")
    assert html_language(page) == ("ar", "rtl")
    first = page.locator("label.option", has=page.locator("input[value=rarely]")).first
    second = page.locator("label.option", has=page.locator("input[value=often]")).first
    # the first option sits to the right of the second, the progress text right-aligned
    assert first.bounding_box()["x"] > second.bounding_box()["x"]
    heading = page.locator("h1").bounding_box()
    assert heading["x"] + heading["width"] > page.viewport_size["width"] / 2
    page.locator("input[name=meetings-team][value=rarely]").focus()
    page.keyboard.press("Space")
    focused = key(page, "ArrowLeft")  # leftward is onward when reading right to left
    assert (focused["name"], focused["value"]) == ("meetings-team", "often")
    assert page.locator("input[name=meetings-team][value=often]").is_checked()
    focused = key(page, "ArrowRight")
    assert focused["value"] == "rarely"
    assert re.fullmatch(r"الصفحة 1 من 2", page.locator("p.progress").inner_text())


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_an_admin_reads_the_results_in_french(admin_page, artifacts, phone):
    page = admin_page(phone=phone)
    page.goto("/admin/surveys/cmo")
    page.get_by_label("Labels in").select_option("fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert html_language(page) == ("en", "ltr")  # the admin interface stays English
    question = "Votre organisation fabrique-t-elle des produits biopharmaceutiques"
    assert page.get_by_text(question).first.is_visible()
    width = "phone" if phone else "desktop"
    axe_check(page, f"admin-results-fr-{width}", artifacts)
    page.screenshot(path=artifacts / f"admin-results-fr-{width}.png", full_page=True)
    page.goto("/admin/surveys/cmo/trends")  # the choice is kept
    assert page.get_by_text(question).first.is_visible()
