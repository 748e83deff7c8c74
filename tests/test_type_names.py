"""Only the question-type registry knows type names: no other code or template names a
type or compares a question's type (the YAML definitions and the data may)."""

from __future__ import annotations

import re
from pathlib import Path

from surveyapp.questionnaire.types import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
TYPES_PACKAGE = ROOT / "surveyapp" / "questionnaire" / "types"
SCANNED = {".py", ".html"}
COMPARISON = re.compile(r"\.type\s*(==|!=|\bin\b|\bnot\s+in\b)|\btype\s+in\s*\(")


def type_name_uses(roots: list[Path], exempt: Path, names: list[str]) -> tuple[list[str], int]:
    """(lines naming a type or comparing a `.type`, number of files read) under `roots`,
    leaving out `exempt`. A name counts when quoted; one with "_" also when bare."""
    quoted = re.compile("|".join(f"['\"]{re.escape(n)}['\"]" for n in names))
    bare = re.compile("|".join(rf"\b{re.escape(n)}\b" for n in names if "_" in n) or "(?!)")
    found, files = [], 0
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix not in SCANNED or path == exempt or exempt in path.parents:
                continue
            files += 1
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if quoted.search(line) or bare.search(line) or COMPARISON.search(line):
                    found.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()}")
    return found, files


def test_no_code_or_template_outside_the_registry_names_a_type():
    roots = [ROOT / "surveyapp", ROOT / "templates"]
    found, files = type_name_uses(roots, TYPES_PACKAGE, sorted(REGISTRY))
    assert files > 50  # the whole package and every template were read
    assert found == []


def test_the_check_finds_names_and_comparisons(tmp_path):
    (tmp_path / "pkg" / "types").mkdir(parents=True)
    (tmp_path / "pkg" / "types" / "entries.py").write_text('name = "dropdown"\n')
    (tmp_path / "pkg" / "view.py").write_text(
        'MATRIX = "rating_matrix"\n'
        "if question.type in CHOICES:\n"
        "    kind = 'number'\n"
        "# a long_text answer\n"
        "count = number + 1\n"
        'x = q.kind == "choice"\n'
    )
    (tmp_path / "pkg" / "page.html").write_text(
        "{% if t.type != 'x' %}\n{% set grouped = f.type in ('RadioField',) %}\n<p>a dropdown</p>\n"
    )
    found, files = type_name_uses([tmp_path / "pkg"], tmp_path / "pkg" / "types",
                                  ["dropdown", "long_text", "number", "rating_matrix"])  # fmt: skip
    assert files == 2
    assert found == [
        "pkg/page.html:1: {% if t.type != 'x' %}",
        "pkg/page.html:2: {% set grouped = f.type in ('RadioField',) %}",
        'pkg/view.py:1: MATRIX = "rating_matrix"',
        "pkg/view.py:2: if question.type in CHOICES:",
        "pkg/view.py:3: kind = 'number'",
        "pkg/view.py:4: # a long_text answer",
    ]
