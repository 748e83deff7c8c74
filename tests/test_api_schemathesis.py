"""Schemathesis, from the API's own OpenAPI document, against the app through WSGI: every
operation with generated requests (examples, coverage and fuzzing phases, positive and
negative data), sent with a read token and with a write token; every default check must
pass (no 5xx, answers that match the document, invalid data refused, valid data taken).
The document comes from an app made once; each operation is sent to an app of its own on
the engine under test.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from surveyapp import create_app, store
from surveyapp.store import tokens
from tests.adminkit import add, cmo, make_admin

pytestmark = pytest.mark.both_engines

EXAMPLES = 25  # per operation and phase: bounded, so the suite stays quick

_folder = tempfile.mkdtemp(prefix="surveyapp-schemathesis-")
atexit.register(shutil.rmtree, _folder, True)
DOCUMENT_APP = create_app(
    {"TESTING": True, "SECRET_KEY": "schemathesis", "DATABASE": str(Path(_folder) / "api.db")},
    init_db=True,
)
store.close_thread_connections()

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", DOCUMENT_APP)
# Answers are checked against the questionnaire, which the generic body schema cannot
# describe: schema-valid answers that the questionnaire refuses get 422, rightly.
SEMANTIC = {"POST /questionnaires/{survey_id}/responses": [positive_data_acceptance]}


@pytest.fixture
def target(make_app) -> tuple:
    """(app, read token, write token): an admin's tokens and three responses."""
    app = make_app(API_RATE_LIMIT=0)
    make_admin(app, "ada")
    db = store.thread_connection(app.config["DATABASE"])
    read, write = (tokens.create(db, "ada", scope)[1] for scope in ("read", "write"))
    for size in ("small", "medium", "large"):
        add(app, "cmo", cmo(size=size))
    return app, read, write


@schema.parametrize()
@settings(max_examples=EXAMPLES)
def test_the_api_keeps_its_document(case, target):
    app, *keys = target
    excluded = SEMANTIC.get(f"{case.method.upper()} {case.operation.path}", [])
    for token in keys:
        headers = {"Authorization": f"Bearer {token}"}
        response = case.call(headers=headers, app=app)
        assert response.status_code < 500, response.text
        case.validate_response(response, headers=headers, excluded_checks=excluded)
