"""The builder's pure operations on definition documents, its checks and the YAML text."""

from __future__ import annotations

import pytest

from surveyapp import SHIPPED_SURVEYS
from surveyapp.questionnaire import checking, yamltext
from surveyapp.questionnaire import editing as ed
from surveyapp.questionnaire import editing_forms as ef
from surveyapp.questionnaire.loader import load_file, parse_definition
from surveyapp.questionnaire.types import REGISTRY


@pytest.mark.parametrize("name", ["cmo.yaml", "client.yaml"])
def test_a_shipped_definition_written_back_is_the_same_version(name):
    shipped = load_file(SHIPPED_SURVEYS / name)
    text = checking.text_of(yamltext.load(shipped.text))
    again = parse_definition(text, name)
    assert again.version == shipped.version and again.pages == shipped.pages
    assert again.scales == shipped.scales and again.introduction == shipped.introduction


def test_codes_stay_text_when_written():
    doc = ed.new_document("t", "T", "2026")
    ed.add_question(doc, 0, "single_choice", "Yes or no?")
    ed.question(doc, 0, 0)["options"] = [
        {"code": "no", "label": "010"},
        {"code": "on", "label": "~"},
    ]
    ed.question(doc, 0, 0)["required"] = "false"
    definition = checking.check(doc).definition
    assert [(o.code, o.label) for o in definition.questions().__next__().options] == [
        ("no", "010"),
        ("on", "~"),
    ]
    assert definition.pages[0].questions[0].required is False


def test_every_type_added_is_valid_at_once():
    doc = ed.new_document("t", "T", "2026")
    for name in REGISTRY:
        ed.add_question(doc, 0, name)
    checked = checking.check(doc)
    assert checked.ok, checked.problems
    assert [q.id for q in checked.definition.questions()] == [
        f"q{n}" for n in range(1, len(REGISTRY) + 1)
    ]


def test_moves_stop_at_the_ends_and_copies_get_fresh_ids():
    doc = ed.new_document("t", "T", "2026")
    for text in ("a", "b", "c"):
        ed.add_question(doc, 0, "short_text", text)
    assert ed.move(ed.questions(doc, 0), 0, -1) == 0
    assert ed.move(ed.questions(doc, 0), 2, 1) == 2
    assert ed.move(ed.questions(doc, 0), 0, 1) == 1
    assert [q["text"] for q in ed.questions(doc, 0)] == ["b", "a", "c"]
    assert ed.duplicate_page(doc, 0) == 1
    ids = [q["id"] for pg in ed.pages(doc) for q in pg["questions"]]
    assert len(ids) == len(set(ids)) == 6
    with pytest.raises(ed.EditError, match="there is no question 9"):
        ed.question(doc, 0, 8)


def test_entries_get_codes_from_their_labels():
    entries: list = []
    assert ed.add_entry(entries, "Très bien") == 0
    ed.add_entry(entries, "Très  bien!")
    ed.add_entry(entries, "", "")
    assert [e["code"] for e in entries] == ["tres_bien", "tres_bien_2", "option_3"]
    assert ed.duplicate_entry(entries, 0) == 1 and entries[1]["code"] == "tres_bien_3"


def test_scales_rename_with_their_users_and_a_used_one_is_not_deleted():
    doc = ed.new_document("t", "T", "2026")
    ed.add_question(doc, 0, "rating_matrix")
    assert ed.question(doc, 0, 0)["scale"] == ed.DEFAULT_SCALE
    ed.rename_scale(doc, ed.DEFAULT_SCALE, "liking")
    assert ed.question(doc, 0, 0)["scale"] == "liking" and list(ed.scales(doc)) == ["liking"]
    with pytest.raises(ed.EditError, match="used by q1"):
        ed.delete_scale(doc, "liking")
    copied = ed.duplicate_scale(doc, "liking")
    with pytest.raises(ed.EditError, match="already a scale 'liking'"):
        ed.rename_scale(doc, copied, "liking")
    ed.delete_scale(doc, copied)
    assert list(ed.scales(doc)) == ["liking"]


def test_a_type_change_keeps_the_text_and_takes_the_new_types_keys():
    doc = ed.new_document("t", "T", "2026")
    ed.add_question(doc, 0, "multiple_choice", "Which?")
    ef.apply_question(
        doc, 0, 0, {"type": "short_text", "shown": "min_picks max_picks", "min_picks": "1"}
    )
    assert ed.question(doc, 0, 0) == {"id": "q1", "type": "short_text", "text": "Which?"}
    ef.apply_question(doc, 0, 0, {"type": "dropdown", "shown": "max_length"})
    assert ed.question(doc, 0, 0)["options"][0] == {"code": "option_1", "label": "Option 1"}
    ed.question(doc, 0, 0)["colour"] = "red"  # a key no type reads is kept for the loader
    ef.apply_question(doc, 0, 0, {"shown": "scale", "source": "scale", "scale": "nowhere"})
    entry = ed.question(doc, 0, 0)
    assert entry["scale"] == "nowhere" and "options" not in entry and entry["colour"] == "red"
    assert {p.path: p.message for p in checking.check(doc).problems} == {
        "pages[0].questions[0].scale": "unknown scale 'nowhere'",
        "pages[0].questions[0].colour": "unknown key for a dropdown question",
    }


def test_problems_carry_their_path_line_and_the_loaders_words():
    text = (
        "id: t\ntitle: T\naudience: a\nedition: 19\nscales:\n  a.b:\n  - {code: x, label: X}\n"
        "  - {code: x, label: Y}\npages:\n- title: P\n  questions:\n  - id: q\n"
        "    type: short_text\n    text: Q\n    max_length: zero\n"
    )
    found = [(p.path, p.line, p.message) for p in checking.check_text(text, "other").problems]
    assert found == [
        ("id", 1, "must stay 'other': this draft belongs to that questionnaire"),
        ("scales.a.b[1].code", 8, "duplicate code 'x'"),
        ("edition", 4, "must be a whole number >= 1900"),
        ("pages[0].questions[0].max_length", 15, "must be a whole number >= 1"),
    ]
    broken = checking.check_text("id: t\npages: [\n")
    assert broken.problems[0].line == 3 and broken.problems[0].message.startswith("not valid YAML")


def test_line_of_follows_the_deepest_node_the_text_has():
    text = "id: t\npages:\n- title: P\n  questions:\n  - id: q\n    text: Q\n"
    assert yamltext.line_of(text, "pages[0].questions[0].text") == 6
    assert yamltext.line_of(text, "pages[0].questions[0].scale") == 5  # missing: its mapping
    assert yamltext.line_of(text, "pages[3].title") == 2
    assert yamltext.line_of("a: [", "a") is None


def test_problem_where_points_at_the_form_field():
    doc = {"scales": {"a.b": []}}
    assert checking.problem_where(doc, "pages[1].questions[2].options[3].label") == ef.Where(
        "question", 1, 2, anchor="f-options-3-label"
    )
    assert checking.problem_where(doc, "scales.a.b[0].code") == ef.Where(
        "scale", name="a.b", anchor="f-options-0-code"
    )
    assert checking.problem_where(doc, "edition") == ef.Where("settings", anchor="f-edition")
    assert checking.problem_where(doc, "pages[2].title").anchor == "page-2"


def test_forms_read_rows_and_refuse_unknown_actions():
    doc = ed.new_document("t", "T", "2026")
    ed.add_question(doc, 0, "single_choice")
    form = {
        "options-count": "1",
        "options-0-code": "y",
        "options-0-label": "Yes",
        "new-options-label": "No",
    }
    ef.question_action(doc, ef.Where("question"), form, "option_up:1")
    assert ed.question(doc, 0, 0)["options"] == [
        {"code": "no", "label": "No"},
        {"code": "y", "label": "Yes"},
    ]
    with pytest.raises(ed.EditError, match="unknown action"):
        ef.apply_outline(doc, {}, "explode")
    with pytest.raises(ed.EditError, match="is not a position"):
        ef.apply_outline(doc, {}, "page_up:-1")
    where = ef.apply_outline(doc, {"new-0-text": "Typed", "new-0-type": "short_text"}, "save")
    assert where.anchor == "q-0-1" and ed.question(doc, 0, 1)["text"] == "Typed"
