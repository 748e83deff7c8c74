"""Definitions stored as immutable published versions (store.definitions) and the
catalogue generation; migration m006_defs_versions."""

from __future__ import annotations

import pytest

from surveyapp import store
from surveyapp.questionnaire.loader import DefinitionError
from surveyapp.store import audit, definitions, editions, schema
from tests.conftest import TEST_QUESTIONNAIRES

MATRIX = (TEST_QUESTIONNAIRES / "rating_matrix.yaml").read_text(encoding="utf-8")
REWORDED = MATRIX.replace("Statement one", "Statement one reworded")
HELPED = MATRIX.replace("text: Do you agree?", "text: Do you agree?\n        help: Be honest.")


@pytest.fixture
def fresh(tmp_path):
    db = store.connect(tmp_path / "defs.db", create=True)
    audit.register_key(tmp_path / "defs.db", "test-audit-key")
    schema.init_db(db)
    yield db
    db.close()


def _respond(db, version: str) -> None:
    store.insert_response(db, survey="t_matrix", edition=2020, version=version,
                          answers={"views-one": "agree"}, counted=["views-one"])  # fmt: skip


def test_publish_records_a_version_once(fresh):
    first = definitions.publish(fresh, MATRIX, "m.yaml", "ann")
    again = definitions.publish(fresh, MATRIX, "other.yaml", "bob")
    assert (first.new, again.new) == (True, False)
    assert first.version == again.version == first.definition.version
    assert first.definition.id == "t_matrix"
    [row] = definitions.versions(fresh, "t_matrix")
    assert row["published_by"] == "ann" and row["source"] == "m.yaml" and row["current"]
    assert row["edition"] == 2020 and row["published_at"]
    assert definitions.version_text(fresh, first.version) == MATRIX
    assert definitions.version_text(fresh, "nope") is None


def test_newest_version_is_current_and_listed_first(fresh):
    old = definitions.publish(fresh, MATRIX, "m.yaml", "ann")
    new = definitions.publish(fresh, HELPED, "m.yaml", "bob")
    assert new.new and new.current_before == old.version
    assert [c.description for c in new.changes] == ["views: help changed ('' → 'Be honest.')"]
    listed = definitions.versions(fresh, "t_matrix")
    assert [(r["version"], r["current"]) for r in listed] == [
        (new.version, True), (old.version, False)]  # fmt: skip
    assert definitions.current_texts(fresh) == [(HELPED, "m.yaml")]
    assert definitions.current_version(fresh, "t_matrix", 2020) == new.version


def test_publishing_an_older_version_again_makes_it_current(fresh):
    old = definitions.publish(fresh, MATRIX, "m.yaml", "ann")
    definitions.publish(fresh, HELPED, "m.yaml", "ann")
    back = definitions.publish(fresh, MATRIX, "m.yaml", "ann")
    assert not back.new and back.changed
    assert definitions.current_version(fresh, "t_matrix", 2020) == old.version
    assert len(definitions.versions(fresh, "t_matrix")) == 2


def test_each_edition_keeps_its_own_current_version(fresh):
    definitions.publish(fresh, MATRIX, "m.yaml", "ann")
    definitions.publish(fresh, MATRIX.replace("2020", "2021"), "m21.yaml", "ann")
    texts = dict((source, text) for text, source in definitions.current_texts(fresh))
    assert set(texts) == {"m.yaml", "m21.yaml"}


def test_generation_moves_on_publish_and_edition_changes_only(fresh):
    start = definitions.generation(fresh)
    definitions.publish(fresh, MATRIX, "m.yaml", "ann")
    after_publish = definitions.generation(fresh)
    definitions.publish(fresh, MATRIX, "m.yaml", "ann")  # already current: nothing changes
    assert definitions.generation(fresh) == after_publish > start
    editions.set_edition_status(fresh, "t_matrix", 2020, "closed")
    assert definitions.generation(fresh) == after_publish + 1
    _respond(fresh, definitions.current_version(fresh, "t_matrix", 2020))
    assert definitions.generation(fresh) == after_publish + 1


def test_a_broken_text_stores_nothing(fresh):
    with pytest.raises(DefinitionError) as caught:
        definitions.publish(fresh, MATRIX.replace("scale: agree", "scale: agre"), "m.yaml", "a")
    assert "m.yaml: pages[0].questions[0].scale: unknown scale 'agre'" in caught.value.errors
    assert definitions.versions(fresh, "t_matrix") == []
    assert definitions.generation(fresh) == 1


def test_breaking_change_on_an_edition_with_responses_needs_confirmation(fresh):
    first = definitions.publish(fresh, MATRIX, "m.yaml", "ann")
    assert definitions.publish(fresh, REWORDED, "m.yaml", "ann").new  # no answers yet
    definitions.publish(fresh, MATRIX, "m.yaml", "ann")
    _respond(fresh, first.version)
    before = definitions.generation(fresh)
    with pytest.raises(definitions.BreakingChange) as caught:
        definitions.publish(fresh, REWORDED, "m.yaml", "ann")
    assert "views-one: wording changed ('Statement one' → 'Statement one reworded')" in str(
        caught.value
    )
    assert definitions.current_version(fresh, "t_matrix", 2020) == first.version
    assert definitions.generation(fresh) == before
    confirmed = definitions.publish(fresh, REWORDED, "m.yaml", "ann", confirm=True)
    assert definitions.current_version(fresh, "t_matrix", 2020) == confirmed.version
    stored = fresh.execute("SELECT version FROM responses").fetchall()
    assert stored == [(first.version,)]


def test_non_breaking_change_needs_no_confirmation(fresh):
    first = definitions.publish(fresh, MATRIX, "m.yaml", "ann")
    _respond(fresh, first.version)
    assert definitions.publish(fresh, HELPED, "m.yaml", "ann").new


def test_migration_keeps_versions_seen_before_in_their_order(tmp_path):
    db = store.connect(tmp_path / "old.db", create=True)
    schema.migrations.apply(db, stop_before="m006_defs_versions")
    day = "2024-{}T00:00:00.000000Z".format
    rows = [("v_old", "t_matrix", 2020, "m.yaml", MATRIX, day("01-01")),
            ("v_new", "t_matrix", 2020, "m.yaml", HELPED, day("02-01")),
            ("v_21", "t_matrix", 2021, "n.yaml", MATRIX, day("01-15"))]  # fmt: skip
    db.conn.executemany("INSERT INTO definitions VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.conn.commit()
    assert schema.init_db(db)[:2] == ["m006_defs_versions", "m006_defs_draft_version"]
    listed = definitions.versions(db, "t_matrix")
    assert [(r["version"], r["current"], r["published_by"]) for r in listed] == [
        ("v_new", True, "file"), ("v_21", True, "file"), ("v_old", False, "file")]  # fmt: skip
    assert listed[0]["published_at"] == day("02-01")
    assert definitions.generation(db) == 1
    db.close()
