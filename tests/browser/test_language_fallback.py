"""A translation left out: the respondent's page in Chromium shows the default language's
text for that string alone, and check-definitions lists the missing string."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from surveyapp import create_app
from tests.browser.conftest import DESKTOP, PHONE, LiveServer, served
from tests.browser.helpers import axe_check
from tests.conftest import TEST_QUESTIONNAIRES

LANGUAGES = TEST_QUESTIONNAIRES / "languages.yaml"  # en and fr; option "blue" has no fr


@pytest.fixture(scope="module")
def two_languages(tmp_path_factory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("fallback")
    app = create_app({"SECRET_KEY": "fallback-secret", "DATABASE": str(folder / "live.db"),
                      "SURVEY_FOLDERS": [str(TEST_QUESTIONNAIRES)]}, init_db=True)  # fmt: skip
    yield from served(app)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_missing_translation_falls_back_to_the_default_language(
    browser: Browser, two_languages: LiveServer, artifacts, viewport
):
    context = browser.new_context(base_url=two_languages.url, viewport=viewport)
    try:
        page = context.new_page()
        page.goto("/s/languages?lang=fr")
        assert page.evaluate("document.documentElement.lang") == "fr"
        colour = page.get_by_role("radiogroup", name="Quelle couleur préférez-vous ?")
        assert colour.get_by_role("radio", name="Rouge").count() == 1
        assert colour.get_by_role("radio", name="Blue").count() == 1  # the en text, not a gap
        assert page.get_by_role("button", name="Suivant").count() == 1
        size = "phone" if viewport == PHONE else "desktop"
        page.screenshot(path=artifacts / f"languages-fallback-{size}.png", full_page=True)
        axe_check(page, f"languages-fallback-{size}", artifacts)
    finally:
        context.close()


def test_check_definitions_lists_the_string_that_fell_back(two_languages):
    runner = two_languages.app.test_cli_runner()
    result = runner.invoke(args=["check-definitions", str(LANGUAGES)])
    assert result.exit_code == 0, result.output
    assert ("languages.yaml: pages[0].questions[0].options[1].label: no fr translation"
            in result.output)  # fmt: skip
