"""Addresses to invite, from what an admin pastes or uploads: a list (one address a line,
or several separated by commas or semicolons), or a CSV file with an `email` column.

Every bad line is reported with its number and nothing is returned then, so a list is
taken whole or not at all. No SQL here: the caller passes the addresses that already
hold an open invitation."""

from __future__ import annotations

import csv
import io
import re

from surveyapp.store.invitations import InvitationFileError, email_problem

SEPARATORS = re.compile(r"[,;]")


def _list_entries(text: str) -> list[tuple[int, str]]:
    """(line number, address) of a plain list; blank lines and entries are skipped."""
    return [
        (number, entry.strip())
        for number, line in enumerate(text.splitlines(), 1)
        for entry in SEPARATORS.split(line)
        if entry.strip()
    ]


def _csv_entries(text: str) -> list[tuple[int, str]]:
    """(line number, address) of a CSV whose header names an `email` column."""
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader)]
    column = header.index("email")
    entries = []
    for row in reader:
        if any(cell.strip() for cell in row):
            cell = row[column].strip() if column < len(row) else ""
            entries.append((reader.line_num, cell))
    return entries


def _is_csv(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return "email" in [cell.strip().strip('"').lower() for cell in first.split(",")]


def parse(text: str, already_open: set[str] | None = None) -> list[str]:
    """The addresses of `text`, in order; InvitationFileError lists every bad line
    ("line 4: 'bob@' is not an email address"), repeats and addresses in `already_open`
    (lowercased) included."""
    try:
        entries = _csv_entries(text) if _is_csv(text) else _list_entries(text)
    except csv.Error as exc:
        raise InvitationFileError([f"cannot read the CSV: {exc}"]) from None
    errors, seen = [], {}
    for number, email in entries:
        problem = email_problem(email, None)
        if not problem and email.lower() in seen:
            problem = f"{email!r} repeats line {seen[email.lower()]}"
        elif not problem and email.lower() in (already_open or set()):
            problem = f"{email!r} already has an open invitation to this edition"
        if problem:
            errors.append(f"line {number}: {problem}")
        seen.setdefault(email.lower(), number)
    if errors:
        raise InvitationFileError(errors)
    return [email for _number, email in entries]


def decode(data: bytes, name: str) -> str:
    """An uploaded file's text (UTF-8, with or without a byte-order mark)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvitationFileError([f"{name}: not UTF-8 text; save it as UTF-8 CSV"]) from None
