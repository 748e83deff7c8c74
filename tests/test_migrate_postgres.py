"""`surveyapp migrate-to-postgres`: a SQLite database with the imported 2010-2012 history,
live responses, an exclusion, a draft, invitations and audit entries, copied into an empty
PostgreSQL database, gives the same figures, exports and verifications there."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from surveyapp import SHIPPED_SURVEYS, create_app, store
from surveyapp.exchange.importer import import_file
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.store import audit, invitations, removal
from surveyapp.store import to_postgres as copying
from tests.adminkit import add, cmo, login, make_admin
from tests.history import HISTORY, HISTORY_SURVEYS, count, history_app

pytestmark = pytest.mark.postgresql_only

FIGURES = ["tallies.json", "trends.json", "export.csv", "export.jsonl", "export.csv?edition=2011"]
TABLES = ["responses", "answers", "not_shown", "counters", "excluded_responses", "drafts",
          "invitations", "audit", "imports", "definitions", "admins",
          "response_search"]  # fmt: skip


@pytest.fixture
def source(make_app, tmp_path):
    """A SQLite app holding the history, live responses and the rest."""
    app = history_app(make_app, DATABASE=str(tmp_path / "source.db"))
    db = store.thread_connection(app.config["DATABASE"])
    catalog = app.extensions["surveys"]
    for edition, path in HISTORY.items():
        assert import_file(db, catalog, "cmo", edition, path).ok
    live = [add(app, "cmo", cmo(size=size, comments=f"live {n} Zürich"))
            for n, size in enumerate(["small", "large", "medium", "small", "large"])]  # fmt: skip
    counted = set(counted_fields(catalog["cmo"][max(catalog["cmo"])]))
    removal.change(db, "exclude", "cmo", live[0], reason="a test", actor="ada", counted=counted)
    store.save_draft(db, "draft-key", "cmo", {"region": "asia"})
    invitations.create(
        db, app.config["SECRET_KEY"], "cmo", max(catalog["cmo"]), ["a@x.org", None], 30
    )
    make_admin(app)
    return app


def migrate(app, *args: str):
    return app.test_cli_runner().invoke(args=["migrate-to-postgres", *args])


def target_app(url: str):
    folders = [str(SHIPPED_SURVEYS), str(HISTORY_SURVEYS)]
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                       "AUDIT_KEY": "test-audit-key", "DATABASE": url,
                       "SURVEY_FOLDERS": folders})  # fmt: skip


def figures(app) -> dict[str, object]:
    """What the admin pages give for the cmo questionnaire, and the two verifications."""
    client = app.test_client()
    assert login(client).status_code == 302
    found: dict[str, object] = {}
    for name in FIGURES:
        response = client.get(f"/admin/surveys/cmo/{name}")
        assert response.status_code == 200, name
        found[name] = response.json if name.endswith(".json") else response.data
    sheet = load_workbook(io.BytesIO(client.get("/admin/surveys/cmo/export.xlsx").data)).active
    found["export.xlsx"] = [[cell.value for cell in row] for row in sheet.iter_rows()]
    runner = app.test_cli_runner()
    for command in ("verify-tallies", "verify-audit"):
        result = runner.invoke(args=[command])
        found[command] = (result.exit_code, result.output)
    return found


def test_the_history_and_live_responses_give_the_same_figures_on_postgresql(source, pg_url):
    sqlite_db = store.thread_connection(source.config["DATABASE"])
    before = {table: count(sqlite_db, table) for table in TABLES}
    result = migrate(source, source.config["DATABASE"], pg_url, "--batch", "100")  # batches
    assert result.exit_code == 0, result.output
    assert f"  responses: {before['responses']} row(s)" in result.output
    assert "Verified: every table's rows" in result.output
    target = target_app(pg_url)
    pg_db = store.thread_connection(pg_url)
    assert {table: count(pg_db, table) for table in TABLES} == before
    assert before["excluded_responses"] == 1 and before["invitations"] == 2
    assert count(pg_db, "responses") == 39 + 50 + 36 + 4
    assert figures(target) == figures(source)
    # ids go on past the copied ones: a new response, audit entry and invitation fit
    add(target, "cmo", cmo())
    invitations.create(pg_db, "test-secret", "cmo", 2012, ["b@x.org"], 30, actor="ada")
    audit.record(pg_db, "ada", "export", survey="cmo")
    assert audit.verify(pg_db) == []
    assert count(pg_db, "invitations") == before["invitations"] + 1


def test_a_database_that_is_not_empty_is_refused_and_left_as_it_was(source, pg_url):
    assert migrate(source, source.config["DATABASE"], pg_url).exit_code == 0
    pg_db = store.thread_connection(pg_url)
    before = {table: count(pg_db, table) for table in TABLES}
    again = migrate(source, pg_url, source.config["DATABASE"])
    assert again.exit_code == 1
    assert "is not empty: " in again.output and "responses" in again.output
    assert {table: count(pg_db, table) for table in TABLES} == before


def test_a_source_whose_audit_chain_does_not_verify_is_not_copied(make_app, tmp_path, pg_url):
    app = make_app(DATABASE=str(tmp_path / "other.db"), AUDIT_KEY="another-key")
    db = store.thread_connection(app.config["DATABASE"])
    audit.record(db, "ada", "export", survey="cmo")  # keyed otherwise than the command is
    app.config["AUDIT_KEY"] = "test-audit-key"
    result = migrate(app, app.config["DATABASE"], pg_url)
    assert result.exit_code == 1
    assert "its audit chain does not verify with this AUDIT_KEY (row " in result.output
    assert store.thread_connection(pg_url).table_names() == []


def test_a_copy_that_differs_is_not_kept(source, pg_url, monkeypatch):
    real = copying._copy_table

    def lose_a_counter(src, dst, table, size):
        copied = real(src, dst, table, size)
        if table.name == "counters":
            dst.raw.execute("UPDATE counters SET count = count + 1 WHERE field = 'region'"
                            " AND value = 'europe' AND edition = 2012")  # fmt: skip
        return copied

    monkeypatch.setattr(copying, "_copy_table", lose_a_counter)
    result = migrate(source, source.config["DATABASE"], pg_url)
    assert result.exit_code == 1
    assert "The copy differs, so nothing was kept: cmo edition 2012 region=europe" in result.output
    assert copying.occupied(store.thread_connection(pg_url)) == []


def test_the_arguments_name_one_sqlite_file_and_one_url(source):
    assert (
        "give one SQLite file and one postgresql:// URL" in migrate(source, "a.db", "b.db").output
    )
    no_url = migrate(source, source.config["DATABASE"])
    assert no_url.exit_code == 2 and "SURVEYAPP_DATABASE_URL" in no_url.output


def test_the_plan_refuses_a_sqlite_table_postgresql_lacks(source, pg_url):
    sqlite_db = store.thread_connection(source.config["DATABASE"])
    sqlite_db.execute("CREATE TABLE stray (x TEXT)")
    result = migrate(source, source.config["DATABASE"], pg_url)
    assert result.exit_code == 1 and "tables the PostgreSQL schema lacks: stray" in result.output
    assert copying.occupied(store.thread_connection(pg_url)) == []
