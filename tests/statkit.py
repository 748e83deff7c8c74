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


def read(path, fmt: str):
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    return reader(str(path), user_missing=True)


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
