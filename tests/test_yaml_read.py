"""Definitions' YAML through libyaml (questionnaire.loader.read_yaml) reads exactly what the
pure-Python reader reads, and fails with the pure-Python reader's message."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from surveyapp import SHIPPED_SURVEYS
from surveyapp.questionnaire import yamltext
from surveyapp.questionnaire.loader import StringLoader, read_yaml
from tests.conftest import examples

# YAML's syntax characters, both line breaks, tabs, a byte-order mark, non-ASCII text
PIECES = list("ab:- \n\t'\"[]{},#&*!|>%@`?\\0123") + ["\x85", "\u2028", "\ufeff", "é", "no"]


def pure(text: str):
    return yaml.load(text, Loader=StringLoader)  # noqa: S506 - a SafeLoader subclass


def outcome(read, text: str) -> tuple[str, object]:
    try:
        return "read", read(text)
    except yaml.YAMLError as exc:
        return "refused", str(exc)


@pytest.mark.parametrize("path", sorted(SHIPPED_SURVEYS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_definitions_read_the_same(path):
    text = path.read_text(encoding="utf-8")
    assert read_yaml(text) == pure(text)


@examples(2000)
@example("\n\ufeff")  # libyaml alone reads a mark after a line break as no text
@example("a: \ud800")  # libyaml alone takes UTF-8 only
@example("0\t")  # libyaml alone reads it
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_whatever_the_pure_reader_reads_reads_the_same(text):
    expected, got = outcome(pure, text), outcome(read_yaml, text)
    if expected[0] == "read" or got[0] == "refused":
        assert got == expected
    # else: libyaml reads a few texts the pure reader refuses (a tab after a plain scalar)


def test_a_syntax_error_quotes_its_line():
    text = "title: x\npages: a: b\nid: y\n"
    with pytest.raises(yaml.YAMLError) as caught:
        read_yaml(text)
    assert str(caught.value) == outcome(pure, text)[1]
    assert "    pages: a: b\n            ^" in str(caught.value)
    assert yamltext.yaml_error_line(caught.value) == 2


def test_a_lone_surrogate_is_a_yaml_error_not_a_crash():
    with pytest.raises(yaml.YAMLError):
        read_yaml("title: \ud800\n")


def test_lines_of_key_paths_come_from_the_fast_tree():
    text = "id: x\npages:\n  - title: P\n    questions:\n      - id: q\n        text: T\n"
    assert yamltext.line_of(text, "pages[0].questions[0].text") == 6
    assert yamltext.line_of("a: \ud800", "a") is None  # no tree, and no crash
