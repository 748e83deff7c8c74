"""Definition files become versions at start-up (instance files override shipped ones, a
broken file is skipped, not fatal), and the `publish` and `definitions` commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp import SHIPPED_SURVEYS, store
from surveyapp.questionnaire.loader import parse_definition
from surveyapp.questionnaire.xlsform import definition_to_xlsform
from surveyapp.store import audit, definitions
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent

pytestmark = pytest.mark.both_engines

CMO = (SHIPPED_SURVEYS / "cmo.yaml").read_text(encoding="utf-8")
PAGES = (TEST_QUESTIONNAIRES / "multi_page.yaml").read_text(encoding="utf-8")
MATRIX = (TEST_QUESTIONNAIRES / "rating_matrix.yaml").read_text(encoding="utf-8")


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "instance-surveys"
    path.mkdir()
    return path


def _served(app) -> dict[str, list[int]]:
    return {survey: sorted(eds) for survey, eds in app.extensions["surveys"].items()}


def test_an_instance_file_overrides_the_shipped_one(make_app, folder):
    (folder / "cmo.yaml").write_text(CMO.replace("Working with", "Our work with"))
    app = make_app(SHIPPED_SURVEYS, folder)
    cmo = app.extensions["surveys"]["cmo"][2012]
    assert cmo.title.startswith("Our work with") and cmo.source == "cmo.yaml"
    db = store.thread_connection(app.config["DATABASE"])
    assert [r["version"] for r in definitions.versions(db, "cmo")] == [cmo.version]
    assert "Our work with" in app.test_client().get("/s/cmo").text


def test_a_file_changed_on_disk_becomes_a_new_version(make_app, folder):
    (folder / "pages.yaml").write_text(PAGES)
    first = make_app(SHIPPED_SURVEYS, folder).extensions["surveys"]["t_pages"][2020]
    (folder / "pages.yaml").write_text(PAGES.replace("Three pages", "Three short pages"))
    app = make_app(SHIPPED_SURVEYS, folder)
    catalog = app.extensions["surveys"]
    assert catalog["t_pages"][2020].title == "Three short pages"
    assert catalog.by_version(first.version).title == "Three pages"
    db = store.thread_connection(app.config["DATABASE"])
    listed = definitions.versions(db, "t_pages")
    now = catalog["t_pages"][2020].version
    assert [(r["version"], r["current"], r["published_by"]) for r in listed] == [
        (now, True, "file"), (first.version, False, "file")]  # fmt: skip
    assert definitions.version_text(db, first.version) == PAGES


def test_a_broken_or_duplicate_instance_file_is_skipped_not_fatal(make_app, folder, caplog):
    (folder / "a.yaml").write_text(PAGES)
    (folder / "b.yaml").write_text(PAGES.replace("Three pages", "Copy"))
    (folder / "bad.yaml").write_text(MATRIX.replace("scale: agree", "scale: agre"))
    app = make_app(SHIPPED_SURVEYS, folder)
    assert _served(app) == {"cmo": [2012], "client": [2012], "t_pages": [2020]}
    assert app.extensions["surveys"]["t_pages"][2020].title == "Three pages"
    bad = "bad.yaml: pages[0].questions[0].scale: unknown scale 'agre'"
    duplicate = "b.yaml: id: 't_pages' edition 2020 is already defined in a.yaml (same folder)"
    assert bad in caplog.messages and any(m.startswith(duplicate) for m in caplog.messages)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["definitions", "cmo"])
    assert listed.exit_code == 0 and "current" in listed.output
    checked = runner.invoke(args=["check-definitions"])
    assert checked.exit_code == 1
    assert bad in checked.output and duplicate in checked.output
    assert "Traceback" not in checked.output and checked.exception.__class__ is SystemExit


def test_check_definitions_accepts_an_override(make_app, folder):
    (folder / "cmo.yaml").write_text(CMO.replace("Working with", "Our work with"))
    checked = make_app(SHIPPED_SURVEYS, folder).test_cli_runner().invoke(args=["check-definitions"])
    assert checked.exit_code == 0, checked.output
    assert "ok  cmo.yaml: cmo edition 2012" in checked.output


def test_a_file_rewording_an_edition_with_answers_waits_for_confirmation(make_app, folder, caplog):
    (folder / "pages.yaml").write_text(PAGES)
    app = make_app(SHIPPED_SURVEYS, folder)
    first = app.extensions["surveys"]["t_pages"][2020]
    Respondent(app.test_client(), "t_pages").complete(
        [{"first": "hello"}, {"second": "x"}, {"third": "p"}]
    )
    reworded = folder / "pages.yaml"
    reworded.write_text(PAGES.replace("Second answer", "Second answer, please"))
    app = make_app(SHIPPED_SURVEYS, folder)
    assert app.extensions["surveys"]["t_pages"][2020].version == first.version
    assert any("pages.yaml: t_pages 2020 has responses" in m for m in caplog.messages)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["publish", str(reworded)])
    assert refused.exit_code == 1
    assert "! second: wording changed ('Second answer' → 'Second answer, please')" in (
        refused.output
    )
    assert "Nothing published: add --confirm." in refused.output
    done = runner.invoke(args=["publish", str(reworded), "--confirm"])
    assert done.exit_code == 0, done.output
    db = store.thread_connection(app.config["DATABASE"])
    assert definitions.current_version(db, "t_pages", 2020) != first.version
    assert db.execute("SELECT version FROM responses").fetchall() == [(first.version,)]


def test_publish_draft_history_and_diff(app, tmp_path):
    runner, db = app.test_cli_runner(), store.thread_connection(app.config["DATABASE"])
    source = tmp_path / "matrix.yaml"
    source.write_text(MATRIX)
    published = runner.invoke(args=["publish", str(source)])
    first = parse_definition(MATRIX, "matrix.yaml").version
    assert published.exit_code == 0
    assert f"Published t_matrix 2020: new version {first}." in published.output
    source.write_text(MATRIX.replace("Statement two", "Statement 2"))
    draft = runner.invoke(args=["publish", str(source), "--draft"])
    assert draft.exit_code == 0 and "Draft only: nothing stored." in draft.output
    assert "! views-two: wording changed ('Statement two' → 'Statement 2')" in draft.output
    assert len(definitions.versions(db, "t_matrix")) == 1
    assert runner.invoke(args=["publish", str(source)]).exit_code == 0
    second = definitions.current_version(db, "t_matrix", 2020)
    listed = runner.invoke(args=["definitions", "t_matrix"]).output.splitlines()
    assert [line.split()[0] for line in listed] == [second, first]
    assert listed[0].endswith("matrix.yaml  current") and "cli:" in listed[0]
    shown = runner.invoke(args=["definitions", "t_matrix", "--diff", first, second]).output
    assert "views-two: wording changed ('Statement two' → 'Statement 2')" in shown
    assert "-          - {code: two, label: Statement two}" in shown
    assert "+          - {code: two, label: Statement 2}" in shown
    entries = [e for e in audit.entries(db, 10, 0) if e["action"] == "publish"]
    assert [e["details"]["version"] for e in entries] == [second, first]


def test_publish_an_xlsform_as_a_new_edition(app, tmp_path):
    workbook = tmp_path / "matrix.xlsx"
    edition_2021 = MATRIX.replace("edition: 2020", "edition: 2021")
    workbook.write_bytes(definition_to_xlsform(parse_definition(edition_2021, "m.yaml")))
    result = app.test_cli_runner().invoke(args=["publish", str(workbook)])
    assert result.exit_code == 0, result.output
    db = store.thread_connection(app.config["DATABASE"])
    assert [r["edition"] for r in definitions.versions(db, "t_matrix")] == [2021]


def test_publish_a_broken_file_lists_every_problem_and_stores_nothing(app, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MATRIX.replace("scale: agree", "scale: agre").replace("title: One", "x: 1"))
    result = app.test_cli_runner().invoke(args=["publish", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml: pages[0].questions[0].scale: unknown scale 'agre'" in result.output
    assert "bad.yaml: pages[0].x: unknown key" in result.output
    assert "Traceback" not in result.output
    db = store.thread_connection(app.config["DATABASE"])
    assert definitions.versions(db, "t_matrix") == []


def test_an_xlsform_in_the_instance_folder_is_served(make_app, folder):
    definition = parse_definition(MATRIX.replace("t_matrix", "t_sheet"), "m.yaml")
    (folder / "sheet.xlsx").write_bytes(definition_to_xlsform(definition))
    (folder / "~$sheet.xlsx").write_bytes(b"a spreadsheet program's lock file")
    app = make_app(SHIPPED_SURVEYS, folder)
    served = app.extensions["surveys"]["t_sheet"][2020]
    assert served.source == "sheet.xlsx" and served.pages == definition.pages
    assert app.test_client().get("/s/t_sheet").status_code == 200
