"""How long a questionnaire takes, estimated from its questions alone (no timing data):
what the home page and the first page show."""

from __future__ import annotations

import math

from surveyapp.questionnaire.model import Definition, Question
from surveyapp.questionnaire.types import REGISTRY

SECONDS_PER_CHOICE = 10  # a question answered by picking, or one row of a matrix
SECONDS_PER_TEXT = 30  # a question answered by typing


def estimate(definition: Definition) -> tuple[int, int]:
    """(questions a respondent answers at most, minutes they take, at least 1). Questions
    the questionnaire computes itself are not counted."""
    asked = [q for q in definition.questions() if not REGISTRY[q.type].computed]
    seconds = sum(_seconds(question) for question in asked)
    return len(asked), max(1, math.ceil(seconds / 60))


def _seconds(question: Question) -> int:
    if question.items:
        return SECONDS_PER_CHOICE * len(question.items)
    return SECONDS_PER_CHOICE if question.options else SECONDS_PER_TEXT
