"""Schemathesis, from the API's own OpenAPI document, against the app through WSGI: every
operation with generated requests (examples, coverage and fuzzing phases, positive and
negative data), sent with a read token and with a write token; every default check must
pass (no 5xx, answers that match the document, invalid data refused, valid data taken).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from surveyapp import create_app, store
from surveyapp.store import tokens
from tests.adminkit import add, cmo, make_admin

EXAMPLES = 25  # per operation and phase: bounded, so the suite stays quick

_folder = tempfile.mkdtemp(prefix="surveyapp-schemathesis-")
atexit.register(shutil.rmtree, _folder, True)
APP = create_app(
    {"TESTING": True, "SECRET_KEY": "schemathesis", "API_RATE_LIMIT": 0,
     "DATABASE": str(Path(_folder) / "api.db")},
    init_db=True,
)  # fmt: skip
make_admin(APP, "ada")
with APP.app_context():
    _db = store.thread_connection(APP.config["DATABASE"])
    READ = tokens.create(_db, "ada", "read")[1]
    WRITE = tokens.create(_db, "ada", "write")[1]
    for _size in ("small", "medium", "large"):
        add(APP, "cmo", cmo(size=_size))
store.close_thread_connections()

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
# Answers are checked against the questionnaire, which the generic body schema cannot
# describe: schema-valid answers that the questionnaire refuses get 422, rightly.
SEMANTIC = {"POST /questionnaires/{survey_id}/responses": [positive_data_acceptance]}


@schema.parametrize()
@settings(max_examples=EXAMPLES)
def test_the_api_keeps_its_document(case):
    excluded = SEMANTIC.get(f"{case.method.upper()} {case.operation.path}", [])
    for token in (READ, WRITE):
        headers = {"Authorization": f"Bearer {token}"}
        response = case.call(headers=headers)
        assert response.status_code < 500, response.text
        case.validate_response(response, headers=headers, excluded_checks=excluded)
