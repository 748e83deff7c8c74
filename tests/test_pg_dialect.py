"""The store's SQL rewritten for PostgreSQL (store/pg/dialect.py): pure text, no server."""

from __future__ import annotations

import pytest

from surveyapp.store.pg.dialect import Unsupported, translate

KEYS = (("counters", ("survey", "edition", "field", "value")), ("drafts", ("key",)))


def sql(text: str) -> str:
    return translate(text, KEYS)[0]


def test_question_marks_become_positional_placeholders():
    assert sql("SELECT a FROM t WHERE b = ? AND c = ?") == (
        "SELECT a FROM t WHERE b = %s AND c = %s"
    )


def test_named_parameters_become_pyformat():
    assert sql("UPDATE t SET a = :value WHERE id = :id") == (
        "UPDATE t SET a = %(value)s WHERE id = %(id)s"
    )


def test_placeholders_inside_quoted_text_and_comments_are_left_alone():
    text = "SELECT '?', 'a:b', \"odd?col\" FROM t -- why? :name\nWHERE x = ?"
    assert sql(text) == "SELECT '?', 'a:b', \"odd?col\" FROM t -- why? :name\nWHERE x = %s"


def test_a_doubled_quote_inside_text_does_not_end_it():
    assert sql("SELECT 'it''s ?' WHERE a = ?") == "SELECT 'it''s ?' WHERE a = %s"


def test_casts_are_not_named_parameters():
    assert sql("SELECT answers::jsonb ->> ? FROM responses WHERE id = :id") == (
        "SELECT answers::jsonb ->> %s FROM responses WHERE id = %(id)s"
    )


def test_every_literal_percent_is_doubled_even_inside_quotes():
    # psycopg reads % in the whole text, quotes included; statements always go with
    # parameters (an empty list when none), so %% reaches the server as %.
    assert sql("SELECT 100 % 7, a FROM t WHERE b LIKE '50%' -- 1%") == (
        "SELECT 100 %% 7, a FROM t WHERE b LIKE '50%%' -- 1%%"
    )


def test_insert_or_ignore_becomes_on_conflict_do_nothing():
    assert sql("INSERT OR IGNORE INTO drafts (key, answers) VALUES (?, ?);") == (
        "INSERT INTO drafts (key, answers) VALUES (%s, %s) ON CONFLICT DO NOTHING"
    )


def test_insert_or_replace_updates_every_column_but_the_key():
    text = "INSERT OR REPLACE INTO drafts (key, survey, answers) VALUES (?, ?, ?)"
    assert sql(text) == (
        "INSERT INTO drafts (key, survey, answers) VALUES (%s, %s, %s)"
        " ON CONFLICT (key) DO UPDATE SET survey = excluded.survey, answers = excluded.answers"
    )


def test_insert_or_replace_of_key_columns_only_does_nothing_on_conflict():
    text = "insert or replace into counters (survey, edition, field, value) values (?, ?, ?, ?)"
    assert sql(text).endswith("ON CONFLICT (survey, edition, field, value) DO NOTHING")


def test_insert_or_replace_without_a_known_key_or_a_column_list_is_refused():
    with pytest.raises(Unsupported, match="primary key"):
        translate("INSERT OR REPLACE INTO nowhere (a) VALUES (?)", KEYS)
    with pytest.raises(Unsupported, match="column list"):
        translate("INSERT OR REPLACE INTO drafts VALUES (?, ?)", KEYS)


def test_two_argument_max_and_min_become_greatest_and_least():
    assert sql("SELECT max(a, ?), MIN(b, c, 3), max(d) FROM t") == (
        "SELECT GREATEST(a, %s), LEAST(b, c, 3), max(d) FROM t"
    )


def test_an_aggregate_over_a_call_with_commas_stays_an_aggregate():
    assert sql("SELECT max(coalesce(a, 0)) FROM t") == "SELECT max(coalesce(a, 0)) FROM t"


def test_max_inside_quotes_is_not_rewritten():
    assert sql("SELECT 'max(a, b)'") == "SELECT 'max(a, b)'"


def test_insert_into_an_identity_table_returns_its_id():
    text, returns_id = translate("INSERT INTO audit (at, actor) VALUES (?, ?)", KEYS)
    assert returns_id
    assert text == "INSERT INTO audit (at, actor) VALUES (%s, %s) RETURNING id"


def test_an_insert_that_returns_already_or_into_a_keyed_table_adds_nothing():
    text, returns_id = translate("INSERT INTO admins (username) VALUES (?) RETURNING id", KEYS)
    assert (text.count("RETURNING"), returns_id) == (1, False)
    text, returns_id = translate("INSERT INTO drafts (key) VALUES (?)", KEYS)
    assert (text, returns_id) == ("INSERT INTO drafts (key) VALUES (%s)", False)


def test_insert_or_ignore_into_an_identity_table_returns_after_the_conflict_clause():
    text, returns_id = translate("INSERT OR IGNORE INTO invitations (token) VALUES (?)", KEYS)
    assert returns_id
    assert text.endswith("ON CONFLICT DO NOTHING RETURNING id")


def test_other_statements_pass_unchanged():
    text = "SELECT survey, count(*) FROM responses GROUP BY survey ORDER BY 2 DESC"
    assert translate(text, KEYS) == (text, False)


def test_placeholders_inside_a_block_comment_are_left_alone():
    assert sql("SELECT /* a ? or :b\n */ a FROM t WHERE b = ?") == (
        "SELECT /* a ? or :b\n */ a FROM t WHERE b = %s"
    )
