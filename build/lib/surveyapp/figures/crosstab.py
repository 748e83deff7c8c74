"""A cross-tab of two choice fields (or of one field by edition): counts, column
percentages with each column's n, and Pearson's chi-square test on what is shown.

A column is a group of respondents, as a segment is: one resting on fewer than `min_n`
respondents is suppressed whole (its counts and percentages), as the tallies suppress a
segment's cells, and left out of the test. Pure: counts come in, figures go out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveyapp.figures.chisquare import chi_square
from surveyapp.figures.ranks import percent


@dataclass(frozen=True)
class Axis:
    """One side of the table: what it shows and its categories as (code, label)."""

    key: str
    title: str
    categories: tuple[tuple[str, str], ...]


def crosstab(
    row: Axis, column: Axis, found: dict[tuple[str, str], int], min_n: int
) -> dict[str, Any]:
    """The table of `found` {(row code, column code): responses}: codes outside the axes
    (an option an older version had, a not-applicable point) are left out of every n."""
    codes = [c for c, _ in row.categories]
    columns = []
    for code, label in column.categories:
        counts = [found.get((r, code), 0) for r in codes]
        n = sum(counts)
        suppressed = n < min_n
        columns.append({
            "code": code, "label": label, "n": n, "suppressed": suppressed,
            "counts": None if suppressed else counts,
            "percent": None if suppressed else [percent(c, n) for c in counts],
        })  # fmt: skip
    shown = [c for c in columns if not c["suppressed"]]
    row_totals = [sum(c["counts"][i] for c in shown) for i in range(len(codes))]
    n = sum(row_totals)
    rows = [
        {"code": code, "label": label, "total": total, "percent": percent(total, n) if n else None}
        for (code, label), total in zip(row.categories, row_totals, strict=True)
    ]
    test = chi_square([[c["counts"][i] for c in shown] for i in range(len(codes))])
    return {
        "row": {"key": row.key, "title": row.title},
        "column": {"key": column.key, "title": column.title},
        "rows": rows, "columns": columns, "n": n, "min_n": min_n,
        "suppressed": len(columns) - len(shown), "test": test,
    }  # fmt: skip


def csv_rows(table: dict[str, Any]) -> list[list[str]]:
    """The table in long form, one line per cell: a suppressed column's cells have no count."""
    lines = [["row_question", "row_code", "row_label", "column_question", "column_code",
              "column_label", "count", "column_percent", "column_n", "suppressed"]]  # fmt: skip
    for column in table["columns"]:
        for index, row in enumerate(table["rows"]):
            hidden = column["suppressed"]
            count = "" if hidden else str(column["counts"][index])
            share = "" if hidden else f"{column['percent'][index]:.1f}"
            base = "" if hidden else str(column["n"])
            lines.append([table["row"]["key"], row["code"], row["label"], table["column"]["key"],
                          column["code"], column["label"], count, share, base,
                          "yes" if hidden else "no"])  # fmt: skip
    return lines
