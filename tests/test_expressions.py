"""The expression language in Python: every corpus case, and each definition check with the
location it reports."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from surveyapp.questionnaire.expressions import (
    ChoiceField,
    ExpressionError,
    as_text,
    check,
    evaluate,
    find_cycle,
    parse,
    references,
    truthy,
)
from tests.expressions.corpus import load, run_python, same

CORPUS = load()
WHERE = "cmo.yaml: pages[0].questions[2].relevant"
CHOICES = {
    "sector": ChoiceField(frozenset({"pharma", "bio", "1", "2"})),
    "services": ChoiceField(frozenset({"fill", "pack"}), multiple=True),
    "calc_list": ChoiceField(None, multiple=True),
}
FIELDS = ["sector", "services", "calc_list", "employees", "grid-row1"]


@pytest.mark.parametrize("case", CORPUS["cases"], ids=lambda case: str(case["id"]))
def test_corpus_case(case):
    assert same(run_python(CORPUS, case), case["expected"]), case["expression"][:200]


def test_the_corpus_covers_every_function_error_kind_and_hostile_input():
    expressions = [case["expression"] for case in CORPUS["cases"]]
    text = "\n".join(expressions)
    for name in ("selected(", "count-selected(", "string-length(", "regex(", "if(",
                 "coalesce(", "number(", "int(", "today(", "not(", "${", "div", "mod"):  # fmt: skip
        assert name in text, name
    kinds = {case["expected"].get("error") for case in CORPUS["cases"]
             if isinstance(case["expected"], dict)}  # fmt: skip
    assert kinds >= {"syntax", "too-long", "too-deep", "number-too-long", "string-too-long",
                     "unknown-function", "arity", "regex"}  # fmt: skip
    assert len(CORPUS["cases"]) >= 300
    assert {len(e) for e in expressions} >= {2000, 2001}
    assert any("😀" in e for e in expressions) and any("مرحبا" in e for e in expressions)


def _check(text: str, allow_dot: bool = False, current: str | None = None, known=FIELDS) -> None:
    check(parse(text, location=WHERE), known_fields=known, choice_fields=CHOICES,
          allow_dot=allow_dot, location=WHERE, all_fields=FIELDS + ["later"],
          current_field=current)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("1 +", "syntax", "did not expect the end of the expression at character 4"),
        ("${sector} = = 'x'", "syntax", "did not expect '=' at character 13"),
        ("foo(1)", "unknown-function", "unknown function 'foo' at character 1"),
        ("1 + not(1, 2)", "arity", "not() takes 1 argument, not 2 at character 5"),
        ("x" * 2001, "too-long", "longer than 2000 characters"),
        ("(" * 51 + "1" + ")" * 51, "too-deep", "nested deeper than 50 levels at character 51"),
        ("1" * 31, "number-too-long", "a number has more than 30 characters at character 1"),
        ("'" + "a" * 501 + "'", "string-too-long", "more than 500 characters at character 1"),
        ("regex(., '(a)\\1')", "regex", "regex() pattern refused: invalid escape sequence"),
        ("regex(., '(?=a)')", "regex", "regex() pattern refused: invalid perl operator"),
        ("regex(., 'a{1001}')", "regex", "regex() pattern refused: invalid repetition size"),
        ("regex(., '\ud800')", "regex", "regex() pattern is not valid text"),
        ("regex(., ${sector})", "regex", "regex() takes its pattern as a quoted string"),
        ("regex(., '" + "a" * 201 + "')", "regex", "pattern has more than 200 characters"),
    ],
)
def test_parse_errors_name_the_location_and_position(text, kind, message):
    with pytest.raises(ExpressionError) as caught:
        parse(text, location=WHERE)
    assert caught.value.kind == kind
    assert str(caught.value).startswith(f"{WHERE}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "options", "kind", "message"),
    [
        ("${nowhere} = 1", {}, "unknown-field", "unknown question ${nowhere} at character 1"),
        ("1 + ${later}", {}, "later-field", "${later} comes later in the questionnaire"),
        ("${sector} = 'bio' and . > 1", {}, "dot", "'.' (the current answer) is only allowed"),
        ("selected(${employees}, 'x')", {}, "type", "selected() needs a choice question"),
        ("count-selected(${grid-row1})", {}, "type", "'grid-row1' is not one"),
        ("selected(${services}, 'wash')", {}, "type", "'wash' is not an option of 'services'"),
        ("selected(${sector}, ' nope ')", {}, "type", "'nope' is not an option of 'sector'"),
        ("${services} = 'fill'", {}, "type", "test it with selected(${services}, 'code')"),
        ("'pharmaa' != ${sector}", {}, "type", "'pharmaa' is not an option of 'sector'"),
        ("${sector} = 3", {}, "type", "no option of 'sector' has the code 3 at character 13"),
        ("selected(., 'x')", {"allow_dot": True, "current": "employees"}, "type", "not one"),
        (". = 'zz'", {"allow_dot": True, "current": "sector"}, "type", "'zz' is not an option"),
        ("${sector} = 1", {"known": ["services"]}, "later-field", "${sector} comes later"),
    ],
)
def test_definition_checks_name_the_location(text, options, kind, message):
    with pytest.raises(ExpressionError) as caught:
        _check(text, **options)
    assert caught.value.kind == kind
    assert str(caught.value).startswith(f"{WHERE}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("selected(${services}, 'fill') and ${sector} = 'pharma' or ${sector} = 2", {}),
        ("${services} = '' and ${sector} != '' and ${employees} > 10", {}),
        ("selected(${calc_list}, 'anything') and ${calc_list} = ''", {}),
        (
            "count-selected(.) <= 1 and selected(., 'pack')",
            {"allow_dot": True, "current": "services"},
        ),
        (". > 0 and regex(., '^[0-9]+$')", {"allow_dot": True}),
        ("selected(concat(${sector}, ' x'), 'x') and ${grid-row1} >= 2", {}),
    ],
)
def test_valid_expressions_pass_the_checks(text, options):
    _check(text, **options)


def test_the_deepest_allowed_expression_parses_and_evaluates():
    """50 levels, each going through every precedence level: the parser's and evaluator's
    recursion stays within Python's default limit."""
    text = "1"
    for _level in range(50):
        text = f"not(1 or 1 and 1 = 1 < 1 + 1 * {text})"
    assert evaluate(parse(text), {}) is False
    with pytest.raises(ExpressionError, match="nested deeper than 50 levels at character 1551"):
        parse(f"not(1 or 1 and 1 = 1 < 1 + 1 * {text})")


def test_find_cycle_reports_the_loop_among_calculations():
    graph = {name: parse(text) for name, text in {
        "total": "${a} + ${b}", "a": "${base} * 2", "b": "${c} + 1", "c": "${total} div 2",
        "base": "3"}.items()}  # fmt: skip
    assert find_cycle(graph) == ["total", "b", "c", "total"]
    assert find_cycle({"x": parse("${x} + 1")}) == ["x", "x"]
    graph["c"] = parse("${a} div 2")
    assert find_cycle(graph) is None


def test_find_cycle_walks_long_chains_without_recursion():
    graph = {f"f{i}": parse(f"${{f{i + 1}}} + 1") for i in range(5000)}
    assert find_cycle(graph) is None
    graph["f5000"] = parse("${f0}")
    cycle = find_cycle(graph)
    assert cycle[0] == cycle[-1] and len(cycle) == 5002


def test_references_lists_every_field_read():
    tree = parse("if(selected(${a}, 'x'), -${b}, coalesce(${c-1}, . + ${a}))")
    assert references(tree) == {"a", "b", "c-1"}


def test_the_tree_is_immutable_and_parsing_is_deterministic():
    tree = parse("${a} + 1 > 2 and not(${b})")
    assert tree == parse("${a} + 1 > 2 and not(${b})")
    assert tree != parse("${a} + 1 > 3 and not(${b})")
    with pytest.raises(dataclasses.FrozenInstanceError):
        tree.operands = ()


def test_regex_runs_in_linear_time_where_backtracking_would_not_finish():
    tree = parse("regex(., '^(a+)+$')")
    assert evaluate(tree, {}, "a" * 100_000 + "b") is False
    assert evaluate(tree, {}, "a" * 100_000) is True


def test_a_lone_surrogate_in_an_answer_does_not_break_regex():
    assert evaluate(parse("regex(${t}, '^a.b$')"), {"t": "a\ud800b"}) is True


def test_today_defaults_to_the_local_date_and_accepts_a_date():
    assert evaluate(parse("today()"), {}) == date.today().isoformat()
    assert evaluate(parse("today()"), {}, today=date(2030, 1, 2)) == "2030-01-02"
    assert evaluate(parse("today() - '2030-01-01'"), {}, today=date(2030, 1, 2)) == 1


def test_answers_of_every_shape():
    tree = parse("concat(${a}, '|', ${b}, '|', ${c}, '|', ${d}, '|', ${e})")
    answers = {"a": ("x", "y"), "b": 3, "c": None, "d": 2.5, "e": False}
    assert evaluate(tree, answers) == "x y|3||2.5|false"


def test_truthy_and_as_text_follow_xpath():
    assert [truthy(v) for v in ("", "0", "false", 0.0, float("nan"), 2.0, False, True)] == [
        False, True, True, False, False, True, False, True]  # fmt: skip
    assert [as_text(v) for v in (1.0, -0.0, 1e21, 0.5, float("inf"), True)] == [
        "1", "0", "1000000000000000000000", "0.5", "Infinity", "true"]  # fmt: skip


def test_only_text_parses():
    with pytest.raises(ExpressionError, match="must be text"):
        parse(12, location=WHERE)  # type: ignore[arg-type]
