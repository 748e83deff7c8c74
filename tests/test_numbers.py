"""Numbers are read as text of a bounded shape before any conversion: no input, however
written, makes the server work on a huge exponent or digit string, or answers 500."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp import store
from surveyapp.questionnaire import numbers
from surveyapp.questionnaire.model import Question
from surveyapp.questionnaire.types import REGISTRY
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent

SURVEY = "t_number_unbounded"
DIGITS = st.text("0123456789", max_size=40)
KNOWN = ["1e2000000", "1e5000", "NaN", "-Infinity", "1_000", "١٢", "0x10", "1e-5000", "9" * 60,
         "0." + "0" * 59, "," * 50, "+.5", "5.", "."]  # fmt: skip
NUMBER_LIKE = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda sign, whole, point, fraction, e, esign, exponent, pad: (
            f"{pad}{sign}{whole}{point}{fraction}{e}{esign}{exponent}{pad}"
        ),
        st.sampled_from(["", "+", "-", "--"]),
        DIGITS,
        st.sampled_from(["", ".", ",", ".."]),
        DIGITS,
        st.sampled_from(["", "e", "E", "e ", "x"]),
        st.sampled_from(["", "+", "-"]),
        st.one_of(DIGITS, st.sampled_from(["2000000", "5000", "999999999999999999"])),
        st.sampled_from(["", " ", "\t"]),
    ),
    st.sampled_from(KNOWN),
)


@settings(max_examples=3000, deadline=None, database=None, derandomize=True)
@given(text=NUMBER_LIKE)
def test_any_text_gives_a_bounded_number_or_a_message(text):
    number, problem = numbers.parse_number(text)
    assert (number is None) == bool(problem)
    if number is not None:
        digits = number.as_tuple()
        # The shape was checked before conversion: a bounded exponent and digit count.
        assert -numbers.FRACTION_DIGITS <= digits.exponent <= 0
        assert len(digits.digits) <= numbers.INTEGER_DIGITS + numbers.FRACTION_DIGITS
        assert len(numbers.plain(number)) <= 2 + numbers.INTEGER_DIGITS + numbers.FRACTION_DIGITS


@settings(max_examples=1000, deadline=None, database=None, derandomize=True)
@given(text=NUMBER_LIKE, integer=st.booleans(), bounded=st.booleans())
def test_the_number_type_never_raises_and_stores_bounded_text(text, integer, bounded):
    settings_ = {"integer": integer} | ({"min": -5, "max": 10**12} if bounded else {})
    question = Question("n", "number", "N?", required=False, settings=settings_)
    value, problem = REGISTRY["number"].check(question, "n", [text])
    assert value is None or (not problem and len(value) <= 27 and Decimal(value).is_finite())


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,250", "1250"), (" -0.50 ", "-0.5"), ("+.5", "0.5"), ("5.", "5"), ("-0", "0"),
     ("000012", "12"), ("1" * 15 + ".25", "1" * 15 + ".25")],
)  # fmt: skip
def test_plain_numbers_are_read_as_before(text, expected):
    number, problem = numbers.parse_number(text)
    assert not problem and numbers.plain(number) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("1e3", numbers.EXPONENT), ("1e2000000", numbers.EXPONENT), ("2.5E-3", numbers.EXPONENT),
     ("1" * 16, numbers.TOO_LONG), ("0." + "1" * 11, numbers.TOO_LONG),
     ("NaN", numbers.NOT_A_NUMBER), ("1_000", numbers.NOT_A_NUMBER), ("١٢", numbers.NOT_A_NUMBER),
     ("", numbers.NOT_A_NUMBER), ("-", numbers.NOT_A_NUMBER)],
)  # fmt: skip
def test_refused_numbers_say_why(text, message):
    assert numbers.parse_number(text) == (None, message)


@pytest.mark.parametrize("payload", ["1e2000000", "1e5000"])
def test_huge_exponents_posted_to_an_unbounded_integer_get_422_with_the_answer_kept(
    make_app, payload
):
    app = make_app(TEST_QUESTIONNAIRES)
    respondent = Respondent(app.test_client(), SURVEY)
    respondent.open(1)
    page = respondent.post(1, {"count": payload, "amount": "2.5"}, action="submit")
    assert page.status_code == 422
    assert f'value="{payload}"' in page.text and 'value="2.5"' in page.text
    assert "without an exponent" in page.text
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    fixed = respondent.post(1, {"count": "1000000", "amount": "2.5"}, action="submit")
    assert fixed.status_code == 302
    stored = json.loads(db.execute("SELECT answers FROM responses").fetchone()[0])
    assert stored == {"count": "1000000", "amount": "2.5"}


def test_imported_numbers_go_through_the_same_check(make_app):
    from surveyapp.exchange.importer import import_file

    app = make_app(TEST_QUESTIONNAIRES)
    db = store.thread_connection(app.config["DATABASE"])
    data = b"count,amount\n1e5000,1\n12,1e2000000\n7,3.25\n"
    result = import_file(db, app.extensions["surveys"], SURVEY, 2026, data, "csv", name="n.csv")
    assert not result.ok
    assert [e.split(": ", 2)[:2] for e in result.errors] == [
        ["n.csv:row 2", "count"], ["n.csv:row 3", "amount"]
    ]  # fmt: skip
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
