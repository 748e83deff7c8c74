"""Kept day counts (surveyapp.store.daycounts): a time range or segment summed from kept
whole days equals a fresh recount, after every kind of change to past responses."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from surveyapp import store
from surveyapp.figures import tallies
from surveyapp.questionnaire.answers import counted_fields
from surveyapp.store import counts, daycounts, results
from surveyapp.store.filters import NO_FILTERS, Filters, parse_filters
from tests.adminkit import add, cmo

NOW = datetime.now(UTC)
SIZES, REGIONS = ["small", "medium", "large"], ["europe", "asia", "north_america"]
RATINGS = ["very_common", "somewhat_common", "rare", "not_a_problem"]


def stamp(moment: datetime) -> str:
    return store.timestamps.stamp(moment)


def day(offset: int, hour: str = "00:00") -> str:
    """A date-time text `offset` days before today (UTC), at `hour`."""
    return f"{(NOW - timedelta(days=offset)).date().isoformat()}T{hour}"


def answers(rng: random.Random) -> dict:
    ratings = {"communicate": rng.choice(RATINGS), "timeframes": rng.choice(RATINGS)}
    return cmo(size=rng.choice(SIZES), region=rng.choice(REGIONS), ratings=ratings)


FIELDS: list[str] = []


@pytest.fixture
def spread(app):
    """60 cmo responses over the past 8 days at varied hours, and 3 today."""
    FIELDS[:] = counted_fields(app.extensions["surveys"]["cmo"][2012])
    rng = random.Random(5)
    for n in range(60):
        midnight = datetime.fromisoformat(day(1 + n % 8)).replace(tzinfo=UTC)
        when = midnight + timedelta(seconds=rng.randrange(86400))
        add(app, "cmo", answers(rng), submitted_at=stamp(when))
    for _ in range(3):
        add(app, "cmo", answers(rng), submitted_at=stamp(NOW - timedelta(seconds=5)))
    return app


RANGES = [
    {"since": day(4)},  # whole days, then today
    {"since": day(5, "13:30"), "until": day(2, "07:15")},  # partial days at both ends
    {"until": day(3)},  # everything before a midnight
    {"since": day(6, "01:00+02:00"), "until": day(1, "23:00-05:00")},  # offsets, as UTC
    {"since": day(3, "10:00"), "until": day(3, "11:00")},  # within one day
    {},  # no time range (with a segment: every past day kept)
]
SEGMENTS = [None, {"region": "europe"}, {"company_size": ["small", "large"]}]


PAIRS = [("company_size", "region"), ("problems-communicate", "problems-timeframes")]


def check_all(db, survey: str = "cmo", counters_kept: bool = True) -> None:
    """Kept sums equal fresh recounts: answer counts, a segment's, two fields' pairs, and
    (when the change kept the counters) the survey page's counts, the counters less what
    came before an open range."""
    for text in RANGES:
        for segment in SEGMENTS:
            for edition in (None, 2012):
                filters = parse_filters(str(edition) if edition else None, **text)
                want = counts.answer_counts(db, survey, filters, segment)
                assert daycounts.range_counts(db, survey, filters, segment) == want, (text, segment)
        filters = parse_filters("2012", **text)
        for row, column in PAIRS:
            scope = results.Scope(survey, 2012, filters)
            want_pairs = results.cross_counts(db, scope, row, column)
            assert daycounts.pair_counts(db, scope, row, column) == want_pairs, text
        fresh = counts.answer_counts(db, survey, filters).get((survey, 2012), {})
        got = tallies.edition_counts(db, survey, filters, None, FIELDS)
        if counters_kept:
            assert got == {k: n for k, n in fresh.items() if k[0] == "*" or k[0] in FIELDS}
    assert daycounts.verify_day_counts(db) == []


def kept(db) -> list[str]:
    span = ("", NOW.date().isoformat())
    return daycounts.kept_days(db, "cmo", span, daycounts.segment_key({"region": "europe"}))


@pytest.mark.both_engines
def test_sums_of_kept_days_equal_a_recount(spread, db):
    check_all(db)  # counts and keeps the days
    assert len(kept(db)) == 8  # the past days with responses; today is never kept
    check_all(db)  # read from the kept days
    assert tallies.verify_tallies(db, spread.extensions["surveys"]) == []


@pytest.mark.both_engines
def test_an_import_into_a_past_day_is_counted(spread, db):
    check_all(db)
    definition = spread.extensions["surveys"]["cmo"][2012]
    rows = [{"survey": "cmo", "edition": 2012, "version": definition.version,
             "answers": cmo(region="europe"), "counted": counted_fields(definition),
             "submitted_at": stamp(NOW - timedelta(days=d, hours=3))}
            for d in (2, 3, 30)]  # fmt: skip
    store.insert_many(db, rows)
    assert len(kept(db)) == 6  # days 2 and 3 were forgotten
    check_all(db)
    assert tallies.verify_tallies(db, spread.extensions["surveys"]) == []


@pytest.mark.both_engines
@pytest.mark.parametrize(
    "change",
    [
        "DELETE FROM responses WHERE id = (SELECT min(id) FROM responses)",
        "UPDATE responses SET status = 'screened_out' WHERE id = 20",
        "UPDATE responses SET submitted_at = '2001-01-01T00:00:00.000000Z' WHERE id = 7",
        "DELETE FROM answers WHERE response = 9 AND field = 'region'",
        "UPDATE answers SET value = 'asia' WHERE response = 11 AND field = 'region'",
        "INSERT INTO not_shown (response, survey, edition, field) SELECT id, survey, edition,"
        " 'comments' FROM responses WHERE id = 12",
    ],
)
def test_any_change_to_a_past_response_forgets_its_day(spread, db, change):
    """Deleting, excluding, moving or editing a response, by any code path (here plain
    SQL, which leaves the counters as they were)."""
    check_all(db)
    before = len(kept(db))
    db.execute(change)
    db.conn.commit()
    assert len(kept(db)) < before
    check_all(db, counters_kept=False)


@pytest.mark.both_engines
def test_a_day_changed_while_it_is_counted_is_not_kept(spread, db, monkeypatch):
    counted_by_day = daycounts.by_day

    def meanwhile(db_, survey, span, segment):
        found = counted_by_day(db_, survey, span, segment)
        add(spread, "cmo", cmo(region="europe"), submitted_at=stamp(NOW - timedelta(days=2)))
        return found

    monkeypatch.setattr(daycounts, "by_day", meanwhile)
    filters = parse_filters(since=day(5))
    got = daycounts.range_counts(db, "cmo", filters, {"region": "europe"})
    assert day(2)[:10] not in kept(db) and len(kept(db)) == 4  # days 5, 4, 3 and 1
    monkeypatch.undo()
    assert got == counts.answer_counts(db, "cmo", filters, {"region": "europe"})  # day 2 live
    check_all(db)


@pytest.mark.both_engines
def test_verify_tallies_reports_a_tampered_kept_day(spread, db):
    daycounts.range_counts(db, "cmo", NO_FILTERS, {"region": "europe"})
    db.execute("UPDATE day_counts SET count = count + 1 WHERE field = 'company_size'")
    db.conn.commit()
    problems = tallies.verify_tallies(db, spread.extensions["surveys"])
    assert problems and all("kept day counts differ" in p for p in problems)


@pytest.mark.both_engines
def test_whole_days_of_a_range():
    today = "2026-12-01"
    assert daycounts.whole_days(Filters(), today) == ("", today)
    since = Filters(since="2026-11-20T00:00:00.000000Z", until="2026-11-25T06:00:00.000000Z")
    assert daycounts.whole_days(since, today) == ("2026-11-20", "2026-11-25")
    inside = Filters(since="2026-11-20T00:00:00.000001Z", until="2026-11-21T00:00:00.000000Z")
    assert daycounts.whole_days(inside, today) is None
    assert daycounts.whole_days(Filters(since="2026-12-01T00:00:00.000000Z"), today) is None


def test_a_restored_backup_brings_its_own_kept_days(spread, db, tmp_path):
    check_all(db)
    store.backup.backup(db, tmp_path / "backup.db")
    definition = spread.extensions["surveys"]["cmo"][2012]
    store.insert_many(db, [{"survey": "cmo", "edition": 2012, "version": definition.version,
                            "answers": cmo(region="europe"), "counted": FIELDS,
                            "submitted_at": stamp(NOW - timedelta(days=3, hours=2))}])  # fmt: skip
    check_all(db)  # keeps the changed day again, with the new response
    store.restore.restore(db, tmp_path / "backup.db", tmp_path / "safety.db")
    assert len(kept(db)) == 8
    check_all(db)
    assert tallies.verify_tallies(db, spread.extensions["surveys"]) == []


@pytest.mark.both_engines
def test_days_counted_before_a_stopped_read_stay_kept(spread, db, monkeypatch):
    counted_by_day, calls = daycounts.by_day, []

    def stopped_second_time(db_, survey, span, segment):
        calls.append(span)
        if len(calls) == 2:
            raise store.ReadBudgetExceeded("read stopped")
        return counted_by_day(db_, survey, span, segment)

    monkeypatch.setattr(daycounts, "CHUNK_DAYS", 3)
    monkeypatch.setattr(daycounts, "by_day", stopped_second_time)
    with pytest.raises(store.ReadBudgetExceeded):
        daycounts.range_counts(db, "cmo", NO_FILTERS, {"region": "europe"})
    assert len(kept(db)) == 3  # the first three days
    monkeypatch.undo()
    check_all(db)
    assert len(kept(db)) == 8


@pytest.mark.both_engines
def test_a_busy_database_counts_live_and_keeps_nothing(spread, db, monkeypatch):
    def busy(_db):
        raise store.StorageBusy("the database is busy")

    monkeypatch.setattr(daycounts, "immediate", busy)
    filters = parse_filters(since=day(5))
    got = daycounts.range_counts(db, "cmo", filters, {"region": "europe"})
    assert got == counts.answer_counts(db, "cmo", filters, {"region": "europe"})
    assert kept(db) == []
