"""XLSForm through the app: check-definitions reads .xlsx files, export-definition writes
YAML or XLSForm, and an imported form is served, answered and stored."""

from __future__ import annotations

import json

from surveyapp import SHIPPED_SURVEYS, store
from surveyapp.questionnaire.loader import load_file
from surveyapp.questionnaire.xlsform import definition_to_xlsform, read_xlsform, xlsform_to_yaml
from tests import xlsform_fixtures as forms
from tests.walker import Respondent


def test_an_imported_form_is_served_answered_and_stored(make_app, tmp_path):
    folder = tmp_path / "surveys"
    folder.mkdir()
    text = xlsform_to_yaml(forms.kobo_household(), "household.xlsx", edition=2024)
    (folder / "household.yaml").write_text(text, encoding="utf-8")
    app = make_app(folder)
    respondent = Respondent(app.test_client(), "household_2024")
    response = respondent.complete([
        {"members": "4", "owns_home": "yes", "crops": ["beans", "other"], "crops-other": "Rice"},
        {"income": "120.5"},
        {"remarks": "None"},
    ])  # fmt: skip
    assert response.status_code == 302 and "/thanks" in response.headers["Location"]
    db = store.thread_connection(app.config["DATABASE"])
    stored = [json.loads(r["answers"]) for r in db.query("SELECT answers FROM responses")]
    assert stored == [{"members": "4", "owns_home": "yes", "crops": ["beans", "other"],
                       "crops-other": "Rice", "income": "120.5", "remarks": "None"}]  # fmt: skip


def test_check_definitions_reads_xlsforms(runner, tmp_path):
    good, bad = tmp_path / "market.xlsx", tmp_path / "refused.xlsx"
    good.write_bytes(forms.odk_spellings())
    bad.write_bytes(forms.refused())
    ok = runner.invoke(args=["check-definitions", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "ok  market.xlsx: market edition 2021" in ok.output
    failed = runner.invoke(args=["check-definitions", str(good), str(bad)])
    assert failed.exit_code == 1
    assert "refused.xlsx:survey:row 3: type: 'geopoint' questions are refused" in failed.output
    assert "refused.xlsx:survey:row 11: type: 'date'" in failed.output
    assert "Traceback" not in failed.output and isinstance(failed.exception, SystemExit)


def test_check_definitions_finds_an_xlsform_duplicating_a_yaml_edition(runner, tmp_path):
    copy = tmp_path / "cmo.xlsx"
    copy.write_bytes(definition_to_xlsform(load_file(SHIPPED_SURVEYS / "cmo.yaml")))
    result = runner.invoke(args=["check-definitions", str(SHIPPED_SURVEYS / "cmo.yaml"), str(copy)])
    assert result.exit_code == 1
    assert "cmo.xlsx: id: 'cmo' edition 2012 is already defined in cmo.yaml" in result.output


def test_export_definition_writes_yaml_and_xlsform(runner, tmp_path):
    as_yaml = runner.invoke(args=["export-definition", "cmo"])
    assert as_yaml.exit_code == 0
    assert as_yaml.output == (SHIPPED_SURVEYS / "cmo.yaml").read_text(encoding="utf-8")
    target = tmp_path / "cmo.xlsx"
    written = runner.invoke(
        args=["export-definition", "cmo", "--format", "xlsform", "-o", str(target)]
    )
    assert written.exit_code == 0, written.output
    back = read_xlsform(target.read_bytes(), "cmo.xlsx").definition
    assert forms.same(load_file(SHIPPED_SURVEYS / "cmo.yaml"), back) == []


def test_export_definition_refuses_an_unknown_questionnaire(runner):
    result = runner.invoke(args=["export-definition", "nope", "--format", "xlsform"])
    assert result.exit_code == 1 and "No questionnaire 'nope'" in result.output
    result = runner.invoke(args=["export-definition", "cmo", "--edition", "1999"])
    assert result.exit_code == 1 and "No questionnaire 'cmo' edition 1999" in result.output
