"""Command-line options of the bench scripts, declared as a table: one row an option,
(name, type, default) and optionally its help; a None default is argparse's own, type
bool makes a flag."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


def parse(description: str | None, table: Sequence[tuple[Any, ...]]) -> argparse.Namespace:
    """The command line, parsed by a parser with one option a row of `table`."""
    parser = argparse.ArgumentParser(description=description)
    for name, kind, default, *text in table:
        help_text = text[0] if text else None
        if kind is bool:  # a flag
            parser.add_argument(name, action="store_true", default=default, help=help_text)
        else:
            parser.add_argument(name, type=kind, default=default, help=help_text)
    return parser.parse_args()
