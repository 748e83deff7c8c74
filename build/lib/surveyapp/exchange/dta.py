"""A Stata .dta file (format 118) written in chunks: pyreadstat writes the header, variable
descriptions, labels and value labels from a one-row template; the data records are
written here, since they are fixed-width: a double per numeric variable (extended missing
values .a .b .c as Stata's own bit patterns), NUL-padded UTF-8 bytes per text variable,
or, for text of 2,045 bytes and more, a strL reference to the text stored after the data.

The header states the number of rows and the map of where each section starts; both are
set for the real rows. Without strLs the records stream out as they are made; with strLs
the texts' section, which comes after the data but is measured in the map, is only known at
the end, so records and texts are spooled to temporary files first.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
from collections.abc import Callable, Iterator

from surveyapp.exchange import sav
from surveyapp.exchange import statvars as sv

VERSION = 14  # pyreadstat's name for format 118
STR_MAX = 2045  # longer text is a strL
NAME_SIZE = 129  # the bytes of a variable or value label name in format 118
GSO_STRING = 130
MISSING_DOUBLE = 0x7FE0000000000000  # "."; .a adds 1 << 40, .b 2 << 40...
Extractor = Callable[[sv.Variable, dict[str, float]], Callable[[list], list]]


def _double(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


TAGGED = {m.state: _double(MISSING_DOUBLE + ((ord(m.dta) - ord("a") + 1) << 40))
          for m in sv.MISSING}  # fmt: skip
SYSTEM_MISSING = _double(MISSING_DOUBLE)


def _missing(variable: sv.Variable) -> dict[str, float]:
    if sv.answers(variable):
        return dict(TAGGED)
    return dict.fromkeys(TAGGED, SYSTEM_MISSING)


def _strl(variable: sv.Variable) -> bool:
    return variable.kind == sv.STRING and variable.width >= STR_MAX


def template(variables: list[sv.Variable], path: str) -> bytes:
    """The file pyreadstat writes for one row: everything but the data is kept. Variables
    are named v1, v2... here (pyreadstat names each value label set after its variable
    with a number appended, which a 32-character name would take past Stata's limit); Layout
    gives them their names."""
    pl, pyreadstat = sav.libraries()
    names = [f"v{index}" for index in range(1, len(variables) + 1)]
    pairs = list(zip(names, variables, strict=True))
    # pyreadstat checks a column against its extended missing values (letters) with polars'
    # is_in, which a Float64 column refuses; an Object column of floats is checked in Python.
    frame = pl.DataFrame([
        pl.Series(n, ["x" * max(v.width, 1)]) if v.kind == sv.STRING
        else pl.Series(n, [1.0], dtype=pl.Object if sv.answers(v) else pl.Float64)
        for n, v in pairs
    ])  # fmt: skip
    pyreadstat.write_dta(
        frame, path, version=VERSION,
        column_labels={n: sv.label_for(v, "dta") for n, v in pairs},
        variable_value_labels={n: labels for n, v in pairs
                               if (labels := sv.value_labels(v, "dta"))},
        missing_user_values={n: [m.dta for m in sv.MISSING] for n, v in pairs
                             if sv.answers(v)},
    )  # fmt: skip
    with open(path, "rb") as file:
        return file.read()


class Layout:
    """Where the template's sections are, and the header and tail for `count` rows."""

    def __init__(self, data: bytes, variables: list[sv.Variable]):
        self.map_at = data.index(b"<map>") + len(b"<map>")
        self.map = list(struct.unpack_from("<14Q", data, self.map_at))
        self.data_at = self.map[9] + len(b"<data>")
        self.head = bytearray(data[: self.data_at])
        self.tail = bytearray(data[self.map[11] :])
        self.rows_at = data.index(b"<N>") + len(b"<N>")
        self._rename(variables)

    def _rename(self, variables: list[sv.Variable]) -> None:
        """Give each variable, and its value label set, the variable's name."""
        names = [v.dta.encode().ljust(NAME_SIZE, b"\0") for v in variables]
        self._entries(self.map[3] + len(b"<varnames>"), names, {})
        renamed: dict[bytes, bytes] = {}
        self._entries(self.map[6] + len(b"<value_label_names>"), names, renamed)
        pos = len(b"<value_labels>")
        while self.tail[pos : pos + 5] == b"<lbl>":
            (size,) = struct.unpack_from("<i", self.tail, pos + 5)
            name = bytes(self.tail[pos + 9 : pos + 9 + NAME_SIZE]).rstrip(b"\0")
            self.tail[pos + 9 : pos + 9 + NAME_SIZE] = renamed[name]
            pos += 9 + NAME_SIZE + 3 + size + len(b"</lbl>")

    def _entries(self, at: int, names: list[bytes], renamed: dict[bytes, bytes]) -> None:
        """Overwrite the fixed-width name entries starting at `at` (an empty one stays
        empty), noting each old name's new one in `renamed`."""
        for index, new in enumerate(names):
            start = at + index * NAME_SIZE
            old = bytes(self.head[start : start + NAME_SIZE]).rstrip(b"\0")
            if old:
                self.head[start : start + NAME_SIZE], renamed[old] = new, new

    def header(self, count: int, record: int, strls: int) -> bytes:
        """The head for `count` rows of `record` bytes and a strls section of `strls` bytes."""
        head, places = bytearray(self.head), list(self.map)
        struct.pack_into("<Q", head, self.rows_at, count)
        places[10] = self.data_at + count * record + len(b"</data>")
        shift = places[10] + strls - self.map[11]
        for index in (11, 12, 13):
            places[index] = self.map[index] + shift
        struct.pack_into("<14Q", head, self.map_at, *places)
        return bytes(head)


def record_format(variables: list[sv.Variable]) -> struct.Struct:
    parts = []
    for v in variables:
        if v.kind != sv.STRING:
            parts.append("d")
        else:
            parts.append("Q" if _strl(v) else f"{max(v.width, 1)}s")
    return struct.Struct("<" + "".join(parts))


def _columns(variables, getters, chunk, first: int, texts) -> list[list]:
    """The chunk's values per variable as the record holds them; strL texts go to `texts`
    (rows numbered from `first`)."""
    result = []
    for index, (variable, get) in enumerate(zip(variables, getters, strict=True), 1):
        values = get(chunk)
        if variable.kind != sv.STRING:
            result.append(values)
        elif not _strl(variable):
            result.append([t.encode() for t in values])
        else:
            result.append([_gso(index, row, t, texts) for row, t in enumerate(values, first)])
    return result


def _gso(variable: int, row: int, text: str, texts) -> int:
    """Write one text to the strls spool; its (variable, row) reference as the record holds
    it. An empty text is the reference (0, 0)."""
    if not text:
        return 0
    data = text.encode() + b"\0"
    texts.write(b"GSO" + struct.pack("<IQBI", variable, row, GSO_STRING, len(data)) + data)
    return variable | row << 16


def write(
    variables: list[sv.Variable], count: int, chunks: Iterator[list], extractor: Extractor
) -> Iterator[bytes]:
    getters = [extractor(v, _missing(v)) for v in variables]
    record = record_format(variables)
    handle, path = tempfile.mkstemp(suffix=".dta")
    os.close(handle)
    try:
        layout = Layout(template(variables, path), variables)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    if not any(_strl(v) for v in variables):
        yield layout.header(count, record.size, len(b"<strls></strls>"))
        written = yield from _records(variables, getters, chunks, record, None)
        _check(written, count)
        yield b"</data><strls></strls>" + bytes(layout.tail)
        return
    with tempfile.TemporaryFile() as rows, tempfile.TemporaryFile() as texts:
        for data in _records(variables, getters, chunks, record, texts):
            rows.write(data)
        _check(rows.tell() // max(record.size, 1), count)
        yield layout.header(count, record.size, texts.tell() + len(b"<strls></strls>"))
        yield from _spooled(rows)
        yield b"</data><strls>"
        yield from _spooled(texts)
        yield b"</strls>" + bytes(layout.tail)


def _records(variables, getters, chunks, record, texts) -> Iterator[bytes]:
    """Each chunk's records; returns how many rows were written."""
    written = 0
    for chunk in chunks:
        values = _columns(variables, getters, chunk, written + 1, texts)
        yield b"".join(map(record.pack, *values))
        written += len(chunk)
    return written


def _spooled(file, size: int = 1 << 20) -> Iterator[bytes]:
    file.seek(0)
    while data := file.read(size):
        yield data


def _check(written: int, count: int) -> None:
    if written != count:
        raise RuntimeError(f"{written} rows written, {count} announced")
