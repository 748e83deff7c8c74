"""questionnaire.diff: what changed between two versions, and which changes are breaking."""

from __future__ import annotations

from surveyapp.questionnaire import diff
from surveyapp.questionnaire.loader import parse_definition
from tests.conftest import TEST_QUESTIONNAIRES

MATRIX = (TEST_QUESTIONNAIRES / "rating_matrix.yaml").read_text(encoding="utf-8")
PAGES = (TEST_QUESTIONNAIRES / "multi_page.yaml").read_text(encoding="utf-8")


def _changes(old: str, new: str) -> list[tuple[str, bool]]:
    found = diff.changes(parse_definition(old, "old.yaml"), parse_definition(new, "new.yaml"))
    return [(c.description, c.breaking) for c in found]


def test_same_definition_has_no_changes():
    assert _changes(MATRIX, MATRIX) == []


def test_wording_of_a_question_and_an_item():
    new = MATRIX.replace("Do you agree?", "Do you agree now?").replace(
        "Statement two", "Statement 2"
    )
    assert _changes(MATRIX, new) == [
        ("views: wording changed ('Do you agree?' → 'Do you agree now?')", True),
        ("views-two: wording changed ('Statement two' → 'Statement 2')", True),
    ]


def test_a_scale_change_is_one_breaking_change():
    relabelled = MATRIX.replace("label: Disagree", "label: Strongly disagree")
    assert _changes(MATRIX, relabelled) == [("views: scale changed (labels changed)", True)]
    extended = MATRIX.replace(
        "    - {code: disagree, label: Disagree}",
        "    - {code: neutral, label: Neutral}\n    - {code: disagree, label: Disagree}",
    )
    assert _changes(MATRIX, extended) == [
        ("views: scale changed (agree, disagree → agree, neutral, disagree)", True)
    ]


def test_items_deleted_added_and_reordered():
    deleted = MATRIX.replace("          - {code: two, label: Statement two}\n", "")
    assert _changes(MATRIX, deleted) == [("views-two: item deleted ('Statement two')", True)]
    added = MATRIX + "          - {code: three, label: Statement three}\n"
    assert _changes(MATRIX, added) == [("views-three: item added ('Statement three')", False)]
    swapped = MATRIX.replace("one, label: Statement one", "TMP").replace(
        "two, label: Statement two", "one, label: Statement one").replace(
        "TMP", "two, label: Statement two")  # fmt: skip
    assert _changes(MATRIX, swapped) == [("views: items reordered", False)]


def test_options_of_a_plain_question_compare_one_by_one():
    new = PAGES.replace("{code: y, label: Y}", "{code: z, label: Z}").replace(
        "{code: x, label: X}", "{code: x, label: Ex}"
    )
    assert _changes(PAGES, new) == [
        ("second option y: option deleted ('Y')", True),
        ("second option x: wording changed ('X' → 'Ex')", True),
        ("second option z: option added ('Z')", False),
    ]


def test_questions_pages_and_other_keys():
    moved = PAGES.replace(
        "  - title: Third\n    questions:\n", "  - title: Last\n    questions:\n"
    ).replace("required: true", "required: false\n        help: Anything")
    assert _changes(PAGES, moved) == [
        ("page 3: page title changed ('Third' → 'Last')", False),
        ("first: help changed ('' → 'Anything')", False),
        ("first: required changed (True → False)", False),
    ]
    one_page = PAGES.replace("  - title: Second\n    questions:\n", "")
    assert _changes(PAGES, one_page) == [
        ("page 2: page title changed ('Second' → 'Third')", False),
        ("page 3: page deleted ('Third')", False),
        ("second: page moved (from page 2 to page 1)", False),
        ("third: page moved (from page 3 to page 2)", False),
    ]


def test_a_deleted_or_retyped_question_is_breaking():
    retyped = PAGES.replace("type: single_choice", "type: dropdown")
    assert _changes(PAGES, retyped) == [("second: type changed (single_choice → dropdown)", True)]
    without = PAGES.replace(PAGES[PAGES.index("      - id: third"):], "      - id: fourth\n"
                            "        type: short_text\n        text: Fourth\n")  # fmt: skip
    assert _changes(PAGES, without) == [
        ("third: question deleted ('Third answer')", True),
        ("fourth: question added (page 3: 'Fourth')", False),
    ]
    found = diff.changes(parse_definition(PAGES, "a"), parse_definition(without, "b"))
    assert [c.what for c in diff.breaking(found)] == ["question deleted"]


def test_text_diff_is_a_unified_diff():
    shown = diff.text_diff(MATRIX, MATRIX.replace("Statement two", "Statement 2"), "v1", "v2")
    assert shown.startswith("--- v1\n+++ v2\n@@ ")
    assert "-          - {code: two, label: Statement two}\n" in shown
    assert "+          - {code: two, label: Statement 2}\n" in shown
    assert diff.text_diff(MATRIX, MATRIX) == ""
