"""SPSS (.sav) and Stata (.dta) exports read back with pyreadstat: every value, variable
label and value label as the definition says, codes' numbers as the codebook documents,
multiple choice as 0/1 variables, missing answers as the documented codes, names valid in
each format, and files joined from many chunks equal to the data."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from surveyapp.exchange import statfiles, statvars
from surveyapp.exchange.statvars import fit
from surveyapp.questionnaire.types import REGISTRY
from surveyapp.store import audit
from tests.adminkit import add, admin_client, cmo, make_admin
from tests.statkit import TEXTS, codebook, missing, numbers, random_answers, read

pytestmark = pytest.mark.both_engines

HERE = Path(__file__).parent
STATFILES = HERE / "statfile_questionnaires"
FORMATS = ["sav", "dta"]
MISSING_LABELS = {
    "sav": {-99.0: "Shown, left blank", -98.0: "Not shown (skip logic)", -97.0: "Not applicable"},
    "dta": {"a": "Shown, left blank", "b": "Not shown (skip logic)", "c": "Not applicable"},
}
BLANK = {"sav": -99.0, "dta": "a"}


@pytest.fixture
def small_chunks(monkeypatch):
    """Seven rows per chunk, so every file here is joined from several chunks."""
    monkeypatch.setattr(statfiles, "rows_per_chunk", lambda variables: 7)


def download(client, tmp_path, survey: str, fmt: str):
    response = client.get(f"/admin/surveys/{survey}/export.{fmt}")
    assert response.status_code == 200
    path = tmp_path / f"{survey}.{fmt}"
    path.write_bytes(response.data)
    return read(path, fmt)


def expected_label(definition, row: dict) -> str:
    q = definition.question(row["column"].split("-")[0])
    if row["item"]:
        return row["item"]
    return f"{q.text}: {row['label']}" if REGISTRY[q.type].separator else q.text


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("survey", ["cmo", "client"])
def test_shipped_questionnaires_read_back_with_every_value_and_label(app, tmp_path, survey, fmt):
    definition = app.extensions["surveys"].latest(survey)
    rnd = random.Random(f"{survey}-{fmt}")
    stored = {}
    for _ in range(40):
        answers = random_answers(definition, rnd)
        stored[add(app, survey, answers)] = answers
    client = admin_client(app)
    frame, meta = download(client, tmp_path, survey, fmt)
    book = codebook(client, survey)
    value_limit, label_limit = statvars.VALUE_LABEL_LIMITS[fmt], statvars.LABEL_LIMITS[fmt]
    assert len(frame) == 40 and list(frame["response_id"]) == list(stored)
    fields = [row for row in book if row["type"] not in ("meta", "missing")]
    assert {row["column"] for row in fields} == set(definition_fields(definition))
    codes = numbers(book, fmt)
    for row in fields:
        name = row[f"{fmt}_name"]
        assert meta.column_names_to_labels[name] == fit(expected_label(definition, row),
                                                        *label_limit)  # fmt: skip
        if row["code"]:
            number = codes[name][row["code"]]
            assert meta.variable_value_labels[name][number] == fit(row["label"], *value_limit)
            assert statvars_missing(meta, name, fmt)
    for index, answers in enumerate(stored.values()):
        for row in fields:
            name, want = row[f"{fmt}_name"], answers.get(row["column"])
            got = frame[name][index]
            if row["code"]:
                assert got == (codes[name][want] if want is not None else BLANK[fmt])
            else:
                assert got == (want or "")
    first = next(iter(stored))
    version = app.extensions["surveys"].latest(survey).version
    assert frame["edition"][0] == definition.edition and frame["version"][0] == version
    assert frame["response_id"][0] == first


def definition_fields(definition) -> list[str]:
    from surveyapp.questionnaire.loader import field_names

    return field_names(definition)


def statvars_missing(meta, name: str, fmt: str) -> bool:
    """The variable's missing codes carry their labels (and SPSS's range is declared)."""
    labels = meta.variable_value_labels[name]
    if any(labels.get(code) != text for code, text in MISSING_LABELS[fmt].items()):
        return False
    return fmt == "dta" or meta.missing_ranges[name] == [{"lo": -99.0, "hi": -97.0}]


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("fmt", FORMATS)
def test_multiple_choice_numbers_names_and_missing_codes(make_app, tmp_path, fmt):
    app = make_app(STATFILES)
    long_id = (
        "a_very_long_identifier_that_goes_on_and_on_well_beyond_what_stata_allows_and_what_"
        "spss_allows_too"
    )
    full = {"size": "5", "with": "a", "Grid-x_y": "neutral", "grid_x_y": "text",
            "picks": ["010", "c"], long_id: "-99", "staff": "12", "str5": "é" * 1100}  # fmt: skip
    ids = [add(app, "t_statfiles", full), add(app, "t_statfiles", {"size": "1"})]
    client = admin_client(app)
    frame, meta = download(client, tmp_path, "t_statfiles", fmt)
    names = {
        "sav": ["size", "with_2", "Grid_x_y", "Grid_second", "grid_x_y_2", "picks_010", "picks_b",
                "picks_c", long_id[:64], "staff", "str5"],
        "dta": ["size", "with_2", "Grid_x_y", "Grid_second", "grid_x_y_2", "picks_010", "picks_b",
                "picks_c", long_id[:32], "staff", "str5_2"],
    }[fmt]  # fmt: skip
    assert list(frame.columns) == [
        "response_id",
        "submitted_at",
        "edition",
        "version",
        "status",
        "not_shown",
        "language",
        *names,
    ]
    assert list(frame["response_id"]) == ids
    blank = BLANK[fmt]
    size, with_, grid, _second, text, p010, pb, pc, big, staff, long_text = names
    assert list(frame[size]) == [5.0, 1.0]  # plain-number codes keep their values
    assert meta.variable_value_labels[size] == {1.0: "One", 2.0: "Two", 5.0: "Five",
                                                     **MISSING_LABELS[fmt]}  # fmt: skip
    assert list(frame[with_]) == [1.0, blank]
    assert list(frame[grid]) == [2.0, blank]
    assert [list(frame[n]) for n in (p010, pb, pc)] == [[1.0, blank], [0.0, blank], [1.0, blank]]
    assert meta.variable_value_labels[pb] == {0.0: "Not picked", 1.0: "Picked",
                                              **MISSING_LABELS[fmt]}  # fmt: skip
    assert meta.column_names_to_labels[pc] == fit("Pick any: Sea", *statvars.LABEL_LIMITS[fmt])
    assert list(frame[staff]) == [12.0, blank]
    assert list(frame[text]) == ["text", ""] and list(frame[long_text]) == ["é" * 1100, ""]
    with_label = meta.variable_value_labels[with_][1.0]
    if fmt == "sav":
        # -99 is an answer this number question allows: system-missing, no user-missing range
        assert frame[big][0] == -99.0 and missing(frame[big][1])
        assert big not in meta.missing_ranges and len(with_label.encode()) <= 120
        assert with_label.endswith("…") and with_label.startswith("Ärger")
    else:
        assert list(frame[big]) == [-99.0, "a"]
        assert with_label.startswith("Ärger") and not with_label.endswith("…")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_missing_table_maps_stored_markers(make_app, tmp_path, monkeypatch, fmt):
    """When skip logic stores a "not shown" marker, one entry in STORED_STATES gives it its
    code in every coded, 0/1 and numeric variable."""
    monkeypatch.setitem(statvars.STORED_STATES, "\0not-shown", "not_shown")
    app = make_app(STATFILES)
    marker = "\0not-shown"
    add(app, "t_statfiles", {"size": marker, "picks": marker, "staff": marker})
    frame, _meta = download(admin_client(app), tmp_path, "t_statfiles", fmt)
    code = {"sav": -98.0, "dta": "b"}[fmt]
    assert [frame[n][0] for n in ("size", "picks_b", "staff")] == [code, code, code]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_responses_is_a_file_of_no_rows_with_every_label(app, tmp_path, fmt):
    frame, meta = download(admin_client(app), tmp_path, "cmo", fmt)
    assert len(frame) == 0 and "problems_communicate" in frame.columns
    assert meta.variable_value_labels["region"][2.0] == "Europe"


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_chunk_and_many_chunks_give_the_same_data(app, tmp_path, monkeypatch, fmt):
    for n in range(23):
        add(app, "cmo", cmo(comments=TEXTS[n % len(TEXTS)] if n % 3 else None))
    client = admin_client(app)
    whole, _ = download(client, tmp_path, "cmo", fmt)
    for size in (1, 5, 22):
        monkeypatch.setattr(statfiles, "rows_per_chunk", lambda variables, size=size: size)
        chunked, _ = download(client, tmp_path, "cmo", fmt)
        assert chunked.equals(whole)
    assert list(whole["comments"][:6]) == ["", *TEXTS[1:3], "", *TEXTS[4:6]]


def test_downloads_are_admin_only_and_audited(app, db):
    add(app, "cmo", cmo())
    client = admin_client(app)
    response = client.get("/admin/surveys/cmo/export.dta?labels=1")
    assert response.mimetype == "application/x-stata-dta"
    assert 'filename="cmo.dta"' in response.headers["Content-Disposition"]
    entry = audit.entries(db, 1, 0)[0]
    assert entry["action"] == "export" and entry["details"]["format"] == "dta"
    assert entry["details"]["rows"] == 1
    make_admin(app, "vera", role="viewer")
    viewer = app.test_client()
    from tests.adminkit import login

    login(viewer, "vera")
    assert viewer.get("/admin/surveys/cmo/export.sav").status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_export_writes_the_file(app, runner, tmp_path, fmt):
    response_id = add(app, "cmo", cmo(region="asia"))
    target = tmp_path / f"out.{fmt}"
    result = runner.invoke(args=["export", "cmo", "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output
    frame, meta = read(target, fmt)
    assert list(frame["response_id"]) == [response_id] and list(frame["region"]) == [3.0]
    assert meta.variable_value_labels["region"][3.0] == "Asia"


def test_names_are_valid_unique_and_never_reserved():
    stems = ["with", "WITH", "byte", "str12", "1st", "née-x", "q" * 80, "q" * 80, "Q" * 80, "_a"]
    for fmt, limit in (("sav", 64), ("dta", 32)):
        names = statvars.unique_names(stems, fmt)
        assert len({n.lower() for n in names}) == len(names)
        for name in names:
            assert len(name.encode()) <= limit and name[0].isalpha()
            assert name.isascii() and name.replace("_", "a").isalnum()
        assert names[4:6] == ["v1st", "nee_x"]
    assert statvars.unique_names(["with", "byte", "str12"], "sav") == ["with_2", "byte", "str12"]
    assert statvars.unique_names(["with", "byte", "str12"], "dta") == ["with_2", "byte_2",
                                                                      "str12_2"]  # fmt: skip


def test_code_values():
    assert statvars.code_values(["1", "2", "5"]) == {"1": 1.0, "2": 2.0, "5": 5.0}
    assert statvars.code_values(["no", "010"]) == {"no": 1.0, "010": 2.0}
    assert statvars.code_values(["1", "2"], ["7", "x", "1"]) == {"1": 1, "2": 2, "7": 7, "x": 8}
