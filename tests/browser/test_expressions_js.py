"""static/expressions.js in Chromium, loaded by a page of the test server: every corpus case
gives the corpus's result, which is also the Python evaluator's result."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.expressions.corpus import load, run_python, same

CORPUS = load()

RUN_CORPUS = """corpus => corpus.cases.map(test => {
  const E = window.SurveyExpressions;
  try {
    const value = E.evaluate(E.parse(test.expression), corpus.answer_sets[test.answers],
                             test.current, corpus.today);
    return typeof value === "number" && !Number.isFinite(value) ? {number: String(value)} : value;
  } catch (error) {
    if (error instanceof E.ExpressionError) { return {error: error.kind, at: error.at}; }
    return {crash: String(error)};
  }
})"""


@pytest.fixture(scope="module")
def script_page(browser, live_server) -> Iterator:
    """A page of the test server with static/expressions.js added the way a page would."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/")
    page.add_script_tag(url="/static/expressions.js")
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture(scope="module")
def js_results(script_page) -> dict[int, object]:
    results = script_page.evaluate(RUN_CORPUS, CORPUS)
    return {case["id"]: result for case, result in zip(CORPUS["cases"], results, strict=True)}


@pytest.mark.parametrize("case", CORPUS["cases"], ids=lambda case: str(case["id"]))
def test_javascript_agrees_with_the_corpus_and_python(js_results, case):
    result = js_results[case["id"]]
    assert same(result, case["expected"]), (case["expression"][:200], result)
    assert same(result, run_python(CORPUS, case))


def test_the_script_lists_references_and_tests_truth(script_page):
    found = script_page.evaluate(
        """() => {
      const E = window.SurveyExpressions;
      const tree = E.parse("if(selected(${a}, 'x'), -${b}, coalesce(${c-1}, . + ${a}))");
      return [E.references(tree), ["", "0", 0, NaN, true].map(E.truthy),
              E.asText(1e21), Object.isFrozen(tree)];
    }"""
    )
    assert found == [["a", "b", "c-1"], [False, True, False, False, True],
                     "1000000000000000000000", True]  # fmt: skip
