"""What a respondent is told before starting: how many questions, about how many minutes."""

from __future__ import annotations

import math

from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.types import REGISTRY

# Seconds to read a question, to pick one answer, to write one free-text answer.
READ_SECONDS, PICK_SECONDS, WRITE_SECONDS = 5, 12, 60


def estimate(questionnaire: Definition) -> tuple[int, int]:
    """(questions asked, minutes they take, at least 1): every question a respondent
    answers counts once (a matrix too), computed ones not at all; the minutes add reading
    each question to answering each of its fields (a "please specify" box not counted)."""
    questions, seconds = 0, 0
    for question in questionnaire.questions():
        qtype = REGISTRY[question.type]
        if qtype.computed:
            continue
        fields = [f for f in qtype.field_names(question) if not qtype.dependent(question, f)]
        per_field = WRITE_SECONDS if qtype.free_text else PICK_SECONDS
        questions += 1
        seconds += READ_SECONDS + per_field * len(fields)
    return questions, max(1, math.ceil(seconds / 60))
