"""Results and cross-tabs: one field's answers in response order, so two fields of the same
responses are paired through the index alone (surveyapp.store.results)."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store.migrations import migrations


@migrations()
def m100_results_answers_by_response_in_field(db: sqlite_utils.Database) -> None:
    """Covers (response, value) of one field: a cross-tab seeks each response's other code
    here instead of reading every answer row of the response, and a viewer's released
    cut (a response-id bound) narrows the range."""
    db.execute(
        "CREATE INDEX answers_by_field_response"
        " ON answers (survey, edition, field, response, value)"
    )
