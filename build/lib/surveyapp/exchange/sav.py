"""An SPSS .sav file written in chunks with pyreadstat.

pyreadstat writes a whole file from one data frame, so each chunk of rows is written as a
file of its own with the same dictionary (variables, labels, missing values; text
variables padded with spaces to the same width, as SPSS pads them anyway, so every
chunk's dictionary is the same bytes). The result is the first chunk's dictionary, with
the number of cases set to the total, followed by every chunk's compressed data. The
bytecode compression of each chunk ends with an end-of-data code (252) that becomes a
no-op (0) in every chunk but the last, so the data runs on.
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
import tempfile
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from surveyapp.exchange import statvars as sv

if TYPE_CHECKING:
    import polars as pl

HEADER_SIZE = 176
CASES_AT = 80  # the header's number of cases (int32)
END_OF_DATA, NO_OP, RAW = 252, 0, 253
Extractor = Callable[[sv.Variable, dict[str, float]], Callable[[list], list]]


def _missing(variable: sv.Variable) -> dict[str, float]:
    if variable.missing and sv.answers(variable):
        return {m.state: m.sav for m in sv.MISSING}
    return {m.state: math.nan for m in sv.MISSING}


def pad(text: str, width: int) -> str:
    """`text` with spaces up to `width` UTF-8 bytes."""
    size = len(text) if text.isascii() else len(text.encode())
    return text + " " * (width - size)


def options(variables: list[sv.Variable]) -> dict:
    """pyreadstat.write_sav's arguments for the dictionary."""
    coded = [v for v in variables if v.kind in (sv.CODED, sv.FLAG)]
    return {
        "column_labels": {v.sav: sv.label_for(v, "sav") for v in variables},
        "variable_value_labels": {
            v.sav: labels for v in variables if (labels := sv.value_labels(v, "sav"))
        },  # fmt: skip
        "missing_ranges": {
            v.sav: [dict(sv.SAV_RANGE)] for v in variables if v.missing and sv.answers(v)
        },  # fmt: skip
        "variable_measure": {
            v.sav: "nominal" if v.kind != sv.NUMERIC else "scale" for v in variables
        },  # fmt: skip
        "variable_format": {v.sav: "F8.0" for v in coded},
        "row_compress": True,
    }


def libraries():
    """polars and pyreadstat, imported on first use: they add about 50 MiB to a process,
    which a worker that never writes these files should not carry. (pyreadstat writes from a
    pandas or a polars data frame; with pandas installed, sqlite-utils would import it in
    every process.)"""
    import polars
    import pyreadstat

    return polars, pyreadstat


def frame(variables: list[sv.Variable], getters: list[Callable], chunk: list) -> pl.DataFrame:
    pl, _pyreadstat = libraries()
    data = []
    for variable, get in zip(variables, getters, strict=True):
        values = get(chunk)
        if variable.kind == sv.STRING:
            width = max(variable.width, 1)
            series = pl.Series(variable.sav, [pad(t, width) for t in values], dtype=pl.String)
        else:  # NaN (no value) becomes null, which pyreadstat writes as system-missing
            series = pl.Series(variable.sav, values, dtype=pl.Float64, nan_to_null=True)
        data.append(series)
    return pl.DataFrame(data)


def dictionary_end(data: bytes) -> tuple[int, list[int]]:
    """(where the data starts, where the 64-bit case counts are) in a .sav file."""
    pos, counts = HEADER_SIZE, []
    while True:
        (record,) = struct.unpack_from("<i", data, pos)
        if record == 2:  # a variable: label and missing values may follow
            has_label, n_missing = struct.unpack_from("<ii", data, pos + 8)
            pos += 32
            if has_label:
                (length,) = struct.unpack_from("<i", data, pos)
                pos += 4 + (length + 3) // 4 * 4
            pos += abs(n_missing) * 8
        elif record == 3:  # value labels: value, length byte, label padded to 8
            (count,) = struct.unpack_from("<i", data, pos + 4)
            pos += 8
            for _ in range(count):
                pos += 8 + (data[pos + 8] + 8) // 8 * 8
        elif record in (4, 6):  # variables of those labels (ints); document lines (80 bytes)
            (count,) = struct.unpack_from("<i", data, pos + 4)
            pos += 8 + count * (4 if record == 4 else 80)
        elif record == 7:  # extension: subtype 16 holds the 64-bit case count
            subtype, size, count = struct.unpack_from("<iii", data, pos + 4)
            if subtype == 16:
                counts.append(pos + 24)
            pos += 16 + size * count
        elif record == 999:
            return pos + 8, counts
        else:
            raise ValueError(f"unexpected .sav record type {record} at {pos}")


def run_on(data: bytes) -> bytes:
    """Compressed data whose end-of-data code is made a no-op, so more data may follow."""
    pos = 0
    while pos < len(data):
        block = data[pos : pos + 8]
        end = block.find(END_OF_DATA)
        if end >= 0:
            return data[: pos + end] + bytes([NO_OP]) + data[pos + end + 1 :]
        pos += 8 + 8 * block.count(RAW)
    return data


def write(
    variables: list[sv.Variable], count: int, chunks: Iterator[list], extractor: Extractor
) -> Iterator[bytes]:
    """The file's bytes: the dictionary first, then each chunk's data as it is written."""
    getters = [extractor(v, _missing(v)) for v in variables]
    kwargs = options(variables)
    _pl, pyreadstat = libraries()
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.close(handle)
    try:
        pending, written = None, 0
        for chunk in chunks:
            pyreadstat.write_sav(frame(variables, getters, chunk), path, **kwargs)
            with open(path, "rb") as file:
                data = file.read()
            start, counts = dictionary_end(data)
            if pending is None:
                yield _header(data[:start], counts, count)
            else:
                yield run_on(pending)
            pending, written = data[start:], written + len(chunk)
        if pending is None:
            pyreadstat.write_sav(frame(variables, getters, []), path, **kwargs)
            with open(path, "rb") as file:
                pending = file.read()
        if written != count:
            raise RuntimeError(f"{written} rows written, {count} announced")
        yield pending
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _header(dictionary: bytes, counts: list[int], cases: int) -> bytes:
    header = bytearray(dictionary)
    struct.pack_into("<i", header, CASES_AT, cases)
    for at in counts:
        struct.pack_into("<q", header, at, cases)
    return bytes(header)
