"""Questionnaires, their definition versions (YAML and parsed JSON) and editions."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from flask import Response

from surveyapp.figures import released
from surveyapp.questionnaire.model import Definition
from surveyapp.questionnaire.translations import texts_by_path
from surveyapp.store import audit, definitions, editions
from surveyapp.web import catalog, get_db, open_definition
from surveyapp.web.admin import editions as edition_views
from surveyapp.web.admin.common import all_editions, reads_raw
from surveyapp.web.api import access
from surveyapp.web.api.problems import fail
from surveyapp.web.api.schemas import SURVEY_EDITION, record, ref
from surveyapp.web.api.spec import Reply, operations

TAG = "questionnaires"
read, write = operations(TAG)
LIST = {"type": "array", "items": ref("Questionnaire")}
STATUS_CHANGE = record(
    SURVEY_EDITION
    | {
        "status": {"enum": ["open", "closed"]},
        "closed": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "Other editions closed by opening this one.",
        },
    }
)


def editions_or_404(survey_id: str) -> dict[int, Definition]:
    found = catalog().get(survey_id)
    if not found:
        fail(404, f"No questionnaire {survey_id!r}.")
    return dict(found)


def _summary(survey_id: str) -> dict[str, Any]:
    known = editions_or_404(survey_id)
    latest = known[max(known)]
    opened = open_definition(survey_id)
    return {
        "id": survey_id,
        "title": latest.title,
        "audience": latest.audience,
        "access": latest.access,
        "editions": sorted(all_editions(survey_id)),  # with those known only from imports
        "latest_edition": latest.edition,
        "open_edition": opened.edition if opened else None,
    }


@read(
    "/questionnaires",
    summary="Every questionnaire",
    mirrors="admin.dashboard",
    replies={200: Reply("The questionnaires", LIST)},
)
def questionnaires():
    return [_summary(survey_id) for survey_id in sorted(catalog())]


@read(
    "/questionnaires/<survey_id>",
    summary="One questionnaire",
    mirrors="admin.survey",
    replies={200: Reply("The questionnaire", ref("Questionnaire"))},
)
def questionnaire(survey_id: str):
    return _summary(survey_id)


@read(
    "/questionnaires/<survey_id>/versions",
    summary="Published definition versions",
    mirrors="admin.builder_history",
    description="Every published version, the one made current last first; `current`: its"
    " edition's current version.",
    replies={200: Reply("The versions", {"type": "array", "items": ref("Version")})},
)
def definition_versions(survey_id: str):
    editions_or_404(survey_id)
    return definitions.versions(get_db(), survey_id)


def _definition(survey_id: str, version: str) -> Definition:
    """A published version of the questionnaire (the catalogue holds every one)."""
    editions_or_404(survey_id)
    found = catalog().by_version(version)
    if found is None or found.id != survey_id:
        fail(404, f"{survey_id} has no version {version!r}.")
    return found


def as_json(definition: Definition) -> dict[str, Any]:
    """A definition as plain JSON: every field of the model but its YAML text; `texts`
    as {key path: {language: text}}."""
    data = dataclasses.asdict(definition)
    data.pop("text", None)
    data["texts"] = texts_by_path(definition)
    return json.loads(json.dumps(data, default=str))


@read(
    "/questionnaires/<survey_id>/versions/<version>",
    summary="A version, parsed",
    mirrors="admin.survey",
    replies={200: Reply("The parsed definition", ref("Definition"))},
)
def definition_json(survey_id: str, version: str):
    return as_json(_definition(survey_id, version))


@read(
    "/questionnaires/<survey_id>/versions/<version>.yaml",
    summary="A version's YAML",
    mirrors="admin.builder_download",
    replies={200: Reply("The definition's YAML text", {"type": "string"}, "application/yaml")},
)
def definition_yaml(survey_id: str, version: str):
    return Response(_definition(survey_id, version).text, mimetype="application/yaml")


@read(
    "/questionnaires/<survey_id>/editions",
    summary="Editions with status and responses",
    mirrors="admin.survey",
    description="A viewer's token gets released response counts, as on the admin pages.",
    replies={200: Reply("The editions, newest first", {"type": "array", "items": ref("Edition")})},
)
def edition_list(survey_id: str):
    editions_or_404(survey_id)
    shown = None if reads_raw() else released.edition_counts(get_db(), catalog(), survey_id)
    rows = edition_views.edition_rows(survey_id, shown)
    return [{key: row[key] for key in ("edition", "status", "responses")} for row in rows]


def _change(survey_id: str, edition: int, status: str) -> dict[str, Any]:
    known = editions_or_404(survey_id)
    if edition not in known:
        fail(404, f"{survey_id} has no edition {edition}.")
    db, closed = get_db(), []
    if status == "open":
        closed = editions.open_only(db, catalog(), survey_id, edition)
        audit.record(
            db, access.actor(), "edition_open", survey=survey_id, edition=edition, closed=closed
        )
    else:
        editions.close(db, catalog(), survey_id, edition)
        audit.record(db, access.actor(), "edition_close", survey=survey_id, edition=edition)
    return {"survey": survey_id, "edition": edition, "status": status, "closed": closed}


@write(
    "/questionnaires/<survey_id>/editions/<int:edition>/open",
    summary="Open an edition to respondents",
    mirrors="admin.edition_status",
    description="Any other open edition of the questionnaire is closed.",
    replies={200: Reply("Opened", STATUS_CHANGE)},
)
def edition_open(survey_id: str, edition: int):
    return _change(survey_id, edition, "open")


@write(
    "/questionnaires/<survey_id>/editions/<int:edition>/close",
    summary="Close an edition",
    mirrors="admin.edition_status",
    replies={200: Reply("Closed", STATUS_CHANGE)},
)
def edition_close(survey_id: str, edition: int):
    return _change(survey_id, edition, "closed")
