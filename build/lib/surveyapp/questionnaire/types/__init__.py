"""The question types: one registry entry per type.

Each entry declares everything the rest of the code asks about a type: the keys it
reads from a definition, the fields it renders (one WTForms field per answer) and
its partial template, how it checks submitted values, how it tallies, trends and
shows in reports, whether it can filter a view, and how an imported cell splits.
Adding a type = one class here and one entry in REGISTRY, one partial in
templates/partials/<type>.html, one test questionnaire. Nothing outside this
package compares a type name (tests/test_type_names.py checks).
"""

from __future__ import annotations

from surveyapp.questionnaire.model import Question
from surveyapp.questionnaire.types.base import (
    REQUIRED_MESSAGE,
    QuestionType,
    Series,
    Value,
)
from surveyapp.questionnaire.types.calculate import Calculate
from surveyapp.questionnaire.types.choice import (
    ChoiceType,
    Dropdown,
    MultipleChoice,
    RatingMatrix,
    SingleChoice,
)
from surveyapp.questionnaire.types.number import Number
from surveyapp.questionnaire.types.ranking import Ranking
from surveyapp.questionnaire.types.text import LongText, ShortText

REGISTRY: dict[str, QuestionType] = {
    t.name: t
    for t in (
        SingleChoice(),
        Dropdown(),
        MultipleChoice(),
        RatingMatrix(),
        ShortText(),
        LongText(),
        Number(),
        Calculate(),
        Ranking(),
    )
}


def of(question: Question) -> QuestionType:
    """The registry entry of a question's type."""
    return REGISTRY[question.type]


__all__ = [
    "REGISTRY",
    "REQUIRED_MESSAGE",
    "ChoiceType",
    "QuestionType",
    "Series",
    "Value",
    "of",
]
