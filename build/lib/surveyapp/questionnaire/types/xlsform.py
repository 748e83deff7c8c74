"""How each registered question type looks in an XLSForm (the ODK spreadsheet format).

The XLSForm reader and writer learn type names here only. A type without a face here
cannot be exported as an XLSForm (the writer says so) and no XLSForm row becomes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveyapp.questionnaire.model import Question


@dataclass(frozen=True)
class Face:
    """A type written as `xls_type` (a select's list name appended) with `appearance`;
    `setting` is a (key, value) the XLSForm type itself carries, e.g. integer or decimal."""

    type_name: str
    xls_type: str
    appearance: str = ""
    setting: tuple[str, Any] | None = None


FACES = (
    Face("single_choice", "select_one"),
    Face("dropdown", "select_one", "minimal"),
    Face("multiple_choice", "select_multiple"),
    Face("short_text", "text"),
    Face("long_text", "text", "multiline"),
    Face("number", "integer", setting=("integer", True)),
    Face("number", "decimal", setting=("integer", False)),
    Face("calculate", "calculate"),
    Face("ranking", "rank"),
)
# The XLSForm type of a value the form computes (written with a `calculation` column).
COMPUTED = "calculate"
# A matrix is a table-list group of MATRIX_ROW rows sharing one choice list (its scale).
MATRIX = "rating_matrix"
MATRIX_ROW = "select_one"


def face_of(question: Question) -> Face | None:
    """The face a question is written with; None when its type has no XLSForm form."""
    for face in FACES:
        if face.type_name != question.type:
            continue
        if face.setting is None or question.settings.get(face.setting[0]) == face.setting[1]:
            return face
    return None


def face_for(xls_type: str, appearances: frozenset[str]) -> Face | None:
    """The face an XLSForm row of `xls_type` with these appearance words is read as."""
    candidates = [f for f in FACES if f.xls_type == xls_type]
    for face in candidates:
        if face.appearance and face.appearance in appearances:
            return face
    return next((f for f in candidates if not f.appearance), None)
