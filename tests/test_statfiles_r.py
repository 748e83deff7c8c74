"""R reads our .sav and .dta files with haven (Debian's r-cran-haven, installed by
scripts/install-r) and sees the same values, variable labels and value labels as
pyreadstat."""

from __future__ import annotations

import csv
import math
import random
import subprocess
from pathlib import Path

import pytest

from tests.adminkit import add, admin_client
from tests.statkit import random_answers, read

SCRIPT = Path(__file__).parent / "r" / "read_both.R"


def r_reads(path: Path, tmp_path: Path) -> tuple[list[dict], list[dict]]:
    values, labels = tmp_path / "values.csv", tmp_path / "labels.csv"
    subprocess.run(["Rscript", str(SCRIPT), str(path), str(values), str(labels)],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    with values.open(encoding="utf-8", newline="") as v, labels.open(encoding="utf-8") as lab:
        return list(csv.DictReader(v)), list(csv.DictReader(lab))


def as_r_text(value) -> str:
    """What the R script writes for a value pyreadstat read (user_missing=True)."""
    if isinstance(value, str) and len(value) == 1 and value.isalpha() and value.islower():
        return f"NA({value})"
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.17g}"
    return value


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_r_reads_the_same_values_and_labels(app, tmp_path, fmt):
    definition = app.extensions["surveys"].latest("cmo")
    rnd = random.Random(fmt)
    for _ in range(25):
        add(app, "cmo", random_answers(definition, rnd, blank=0.3))
    path = tmp_path / f"cmo.{fmt}"
    path.write_bytes(admin_client(app).get(f"/admin/surveys/cmo/export.{fmt}").data)
    frame, meta = read(path, fmt)
    values, labels = r_reads(path, tmp_path)
    assert len(values) == len(frame) == 25
    assert list(values[0]) == list(frame.columns)
    for index, row in enumerate(values):
        assert row == {name: as_r_text(frame[name][index]) for name in frame.columns}
    variable_labels = {r["variable"]: r["label"] for r in labels if not r["value"]}
    assert variable_labels == meta.column_names_to_labels
    value_labels: dict[str, dict[str, str]] = {}
    for r in labels:
        if r["value"]:
            value_labels.setdefault(r["variable"], {})[r["value"]] = r["label"]
    assert value_labels == {
        name: {as_r_text(float(k) if not isinstance(k, str) else k): v for k, v in found.items()}
        for name, found in meta.variable_value_labels.items()
    }
    assert value_labels["region"]["2"] == "Europe"
