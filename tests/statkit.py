"""Helpers for the SPSS/Stata export tests: random answers for any definition, files read
back with pyreadstat, the codebook's numbers."""

from __future__ import annotations

import csv
import io
import random

import pyreadstat

from surveyapp.questionnaire.types import REGISTRY

TEXTS = [
    "plain",
    'she said "no", twice; =1+1',
    "Zürich – 東京 – naïve – 😀",
    "line one\nline two",
    "x" * 300,  # an SPSS very long string (over 255 bytes)
    "é" * 1100,  # 2,200 bytes: a Stata strL
]


def random_answers(definition, rnd: random.Random, blank: float = 0.2) -> dict:
    """Answers to every field, each left out with probability `blank`."""
    answers = {}
    for q in definition.questions():
        qtype = REGISTRY[q.type]
        options = dict(qtype.tallied(q))
        for name in qtype.field_names(q):
            if rnd.random() < blank:
                continue
            codes = [o.code for o in options.get(name, ())]
            if codes and qtype.separator:
                answers[name] = [c for c in codes if rnd.random() < 0.5] or codes[:1]
            elif codes:
                answers[name] = rnd.choice(codes)
            elif qtype.numeric:
                answers[name] = str(rnd.randint(0, 900))
            else:
                answers[name] = rnd.choice(TEXTS)
    return answers


class Frame:
    """What the tests read of a file: its columns in order, each an array of its values.
    pyreadstat's dict output, so reading back needs no data-frame library."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.columns = list(data)

    def __len__(self) -> int:
        return len(next(iter(self.data.values()), ()))

    def __getitem__(self, name: str):
        return self.data[name]

    def equals(self, other: Frame) -> bool:
        """The same columns holding the same values, missing where the other's are."""
        return self.columns == other.columns and all(
            len(self[name]) == len(other[name]) and all(map(_same, self[name], other[name]))
            for name in self.columns
        )


def _same(a, b) -> bool:
    return a == b or (missing(a) and missing(b))


def missing(value) -> bool:
    """A system-missing value as the dict output gives it: None, or NaN in a number column."""
    return value is None or value != value


def read(path, fmt: str):
    """(the file's data as a Frame, pyreadstat's metadata), user-missing values kept."""
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    data, meta = reader(str(path), user_missing=True, output_format="dict")
    return Frame(data), meta


def codebook(client, survey: str) -> list[dict]:
    text = client.get(f"/admin/surveys/{survey}/codebook.csv").text
    return list(csv.DictReader(io.StringIO(text)))


def numbers(rows: list[dict], fmt: str) -> dict[str, dict[str, float]]:
    """{variable name: {code: number}} as the codebook documents the choice fields (for a
    multiple-choice option, its own 0/1 variable and 1)."""
    found: dict[str, dict[str, float]] = {}
    for row in rows:
        if row["code"] and row["type"] != "missing":
            found.setdefault(row[f"{fmt}_name"], {})[row["code"]] = float(row["stat_value"])
    return found
