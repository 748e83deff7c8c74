"""Option keys of choice questions: `other` (a "please specify" text, required only when
chosen), `exclusive` ("None of these" alone), and a matrix scale point marked `na`
(left out of every base and top box, counted apart)."""

from __future__ import annotations

import csv
import io

import pytest

from surveyapp import store
from surveyapp.exchange import export
from surveyapp.exchange.importer import import_file
from surveyapp.figures import tallies, trends
from surveyapp.questionnaire.loader import DefinitionError, load_file, parse_definition
from surveyapp.questionnaire.xlsform import definition_to_xlsform, read_xlsform
from tests.adminkit import add, admin_client
from tests.adminkit import stored_answers as stored
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent


@pytest.fixture
def options_app(make_app):
    return make_app(TEST_QUESTIONNAIRES)


def submit(app, survey, data):
    respondent = Respondent(app.test_client(), survey)
    respondent.open(1)
    return respondent.post(1, data, action="submit")


# other / please specify


def test_the_specify_box_is_rendered_with_its_option(options_app):
    html = Respondent(options_app.test_client(), "t_other").open(1).text
    assert 'data-other-of="supplier" data-other-code="other"' in html
    assert '<label for="supplier-other">Another supplier: please specify' in html
    assert 'name="uses-other" id="uses-other"' in html
    assert "/static/options.js" in html


def test_the_text_is_stored_when_other_is_chosen(options_app):
    data = {"supplier": "other", "supplier-other": "  Zeta Labs ", "uses": ["else", "media"],
            "uses-other": "Filters"}  # fmt: skip
    assert submit(options_app, "t_other", data).status_code == 302
    expected = {"supplier": "other", "supplier-other": "Zeta Labs", "uses": ["media", "else"],
                "uses-other": "Filters"}  # fmt: skip
    assert stored(options_app) == [expected]


def test_the_text_is_required_only_when_other_is_chosen(options_app):
    response = submit(options_app, "t_other", {"supplier": "other", "supplier-other": " "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please say what “Another supplier” is." in html
    assert '<a href="#supplier-other">' in html  # the summary links to the text box itself
    assert stored(options_app) == []


def test_the_text_is_discarded_when_other_is_not_chosen(options_app):
    data = {"supplier": "acme", "supplier-other": "typed, then changed my mind",
            "uses-other": "no option chosen"}  # fmt: skip
    assert submit(options_app, "t_other", data).status_code == 302
    assert stored(options_app) == [{"supplier": "acme"}]


def test_a_specify_text_over_200_characters_is_refused(options_app):
    response = submit(options_app, "t_other", {"supplier": "other", "supplier-other": "x" * 201})
    assert response.status_code == 422
    assert "Please keep this to 200 characters or fewer." in response.get_data(as_text=True)


def test_specify_texts_are_exported_and_listed_as_comments(options_app):
    add(options_app, "t_other", {"supplier": "other", "supplier-other": "Zeta; Labs"})
    db = store.thread_connection(options_app.config["DATABASE"])
    editions = options_app.extensions["surveys"]["t_other"]
    rows = list(csv.reader(io.StringIO("".join(export.csv_stream(db, "t_other", editions)))))
    assert rows[0][7:] == ["supplier", "supplier-other", "uses", "uses-other"]
    assert rows[1][7:] == ["other", "Zeta; Labs", "", ""]
    codebook = [row[:6] for row in csv.reader(io.StringIO("".join(export.codebook_csv(editions))))]
    assert ["supplier-other", "Who supplies your media?", "Another supplier: please specify",
            "single_choice", "", ""] in codebook  # fmt: skip
    report = admin_client(options_app).get("/admin/report/2020").get_data(as_text=True)
    assert '<li class="free-text">Zeta; Labs</li>' in report


def test_an_imported_specify_text_keeps_its_semicolons(options_app):
    db = store.thread_connection(options_app.config["DATABASE"])
    data = b"supplier,uses,uses-other\n,else;media,Filters; pumps\n"
    result = import_file(db, options_app.extensions["surveys"], "t_other", 2020, data,
                         name="o.csv")  # fmt: skip
    assert result.errors == ["o.csv:row 2: supplier: Please answer this question."]
    data = b"supplier,uses,uses-other\nbolt,else;media,Filters; pumps\n"
    result = import_file(db, options_app.extensions["surveys"], "t_other", 2020, data,
                         name="o.csv")  # fmt: skip
    assert result.ok, result.errors
    assert stored(options_app) == [
        {"supplier": "bolt", "uses": ["media", "else"], "uses-other": "Filters; pumps"}
    ]


def test_an_option_flag_a_type_does_not_take_is_a_definition_error():
    text = (TEST_QUESTIONNAIRES / "other.yaml").read_text()
    text = text.replace("{code: bolt, label: Bolt}", "{code: bolt, label: Bolt, exclusive: true}")
    text = text.replace("{code: acme, label: Acme}", "{code: acme, label: Acme, other: true}")
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, "other.yaml")
    assert caught.value.errors == [
        "other.yaml: pages[0].questions[0].options[1].exclusive: not for this question type",
        "other.yaml: pages[0].questions[0]: only one option may be marked other",
    ]


def test_xlsform_or_other_imports_as_an_other_option_and_round_trips():
    original = load_file(TEST_QUESTIONNAIRES / "other.yaml")
    back = read_xlsform(definition_to_xlsform(original), "other.xlsx").definition
    assert [q.options for q in back.questions()] == [q.options for q in original.questions()]


# exclusive


def test_an_exclusive_option_alone_is_stored_despite_min_picks(options_app):
    assert submit(options_app, "t_exclusive", {"audits": "none"}).status_code == 302
    assert stored(options_app) == [{"audits": ["none"]}]


def test_an_exclusive_option_with_another_is_refused(options_app):
    response = submit(options_app, "t_exclusive", {"audits": ["fda", "none"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "“None of these” cannot be picked together with other answers." in html
    assert stored(options_app) == []


def test_other_picks_keep_their_limits_and_carry_the_exclusive_mark(options_app):
    response = submit(options_app, "t_exclusive", {"audits": ["fda"]})
    assert response.status_code == 422
    assert "Please pick at least 2." in response.get_data(as_text=True)
    html = Respondent(options_app.test_client(), "t_exclusive").open(1).text
    assert 'value="none" data-exclusive' in html


# not applicable in a matrix

#   delays: often 3, sometimes 1, never 1, na 2 -> n 5, top 60.0, top-2 80.0, na 2
#   errors: often 1, na 1                        -> n 1, top 100.0, na 1
MATRIX_ROWS = [
    {"issues-delays": "often", "issues-errors": "often"},
    {"issues-delays": "often"},
    {"issues-delays": "often", "issues-errors": "na"},
    {"issues-delays": "sometimes"},
    {"issues-delays": "never"},
    {"issues-delays": "na"},
    {"issues-delays": "na"},
]


@pytest.fixture
def rated(options_app):
    for answers in MATRIX_ROWS:
        add(options_app, "t_matrix_na", answers)
    return options_app


def test_na_is_left_out_of_the_base_and_the_boxes(rated):
    db = store.thread_connection(rated.config["DATABASE"])
    definition = rated.extensions["surveys"].latest("t_matrix_na")
    matrix = tallies.tallies(db, definition)["questions"]["issues"]
    assert matrix["scale"] == ["often", "sometimes", "never"]
    assert matrix["items"]["delays"] == {
        "n": 5, "na": 2, "counts": {"often": 3, "sometimes": 1, "never": 1},
        "shown": 7, "answered": 5, "not_shown": 0,
        "percent": {"often": 60.0, "sometimes": 20.0, "never": 20.0},
        "top_box": 60.0, "top2_box": 80.0,
    }  # fmt: skip
    assert matrix["items"]["errors"]["n"] == 1 and matrix["items"]["errors"]["na"] == 1
    ranked = tallies.rankings(definition, tallies.tallies(db, definition))["issues"]
    assert [(r["item"], r["n"], r["rank_top"]) for r in ranked] == [
        ("delays", 5, 2),
        ("errors", 1, 1),
    ]


def test_na_is_shown_apart_on_the_tallies_page_and_in_trends(rated):
    client = admin_client(rated)
    html = client.get("/admin/surveys/t_matrix_na").get_data(as_text=True)
    assert "n = 5 shown and answered (N/A excluded: 2)" in html
    assert '<td class="num">N/A: 2</td>' in html
    assert '<th scope="col" class="num">Not applicable</th>' not in html
    db = store.thread_connection(rated.config["DATABASE"])
    document = trends.trends(db, rated.extensions["surveys"], "t_matrix_na", min_n=1)
    cell = document["questions"]["issues"]["items"]["delays"]["2020"]
    assert (cell["n"], cell["na"], cell["top_box"], cell["top2_box"]) == (5, 2, 60.0, 80.0)
    assert "N/A: 2" in trends.format_table(document)
    page = client.get("/admin/surveys/t_matrix_na/trends").get_data(as_text=True)
    assert "(N/A: 2)" in page


def test_na_only_on_a_matrix_scale():
    text = (TEST_QUESTIONNAIRES / "matrix_na.yaml").read_text().replace(
        "          - {code: delays, label: Delays}",
        "          - {code: delays, label: Delays, na: true}")  # fmt: skip
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, "m.yaml")
    assert caught.value.errors == ["m.yaml: pages[0].questions[0].items[0].na: not for this "
                                   "question type"]  # fmt: skip


def test_xlsform_round_trips_the_na_point():
    original = load_file(TEST_QUESTIONNAIRES / "matrix_na.yaml")
    back = read_xlsform(definition_to_xlsform(original), "m.xlsx").definition
    assert back.scales == original.scales and back.scales["frequency"][-1].na


def test_the_builder_s_forms_keep_option_flags_anchors_and_groups():
    from surveyapp.questionnaire import checking, yamltext
    from surveyapp.questionnaire import editing_forms as ef

    for name, p, q, scale in (("randomize", 0, 0, "agree"), ("matrix_na", 0, 0, "frequency"),
                              ("other", 0, 1, "")):  # fmt: skip
        original = load_file(TEST_QUESTIONNAIRES / f"{name}.yaml")
        doc = yamltext.load(original.text)
        question = original.pages[p].questions[q]
        form = {"id": question.id, "type": question.type, "text": question.text, "shown": "",
                "options-count": str(len(question.options))}  # fmt: skip
        for n, option in enumerate(question.options):
            form |= {f"options-{n}-code": option.code, f"options-{n}-label": option.label}
        ef.apply_question(doc, p, q, form if not question.scale else {**form, "source": "scale"})
        if scale:
            rows = {f"options-{n}-{k}": getattr(o, k) for n, o in enumerate(original.scales[scale])
                    for k in ("code", "label")}  # fmt: skip
            form = {"name": scale, "options-count": str(len(original.scales[scale])), **rows}
            ef.scale_action(doc, ef.Where("scale", name=scale), form, "save")
        again = checking.check(doc).definition
        assert again.pages == original.pages and again.scales == original.scales, name
        assert again.randomize_pages == original.randomize_pages
