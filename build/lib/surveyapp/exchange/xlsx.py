"""XLSX workbooks written as a stream: the zip is produced while rows are read.

XlsxWriter (and every library that writes a whole workbook) emits the file only when
it is closed, so a download of a million rows would start after the last row. Here the
sheet XML is deflated into a zip as rows arrive (zipfile writes to an unseekable sink
with data descriptors), so the first bytes leave at once and memory stays flat. The
workbook part, which names each sheet's filter range, is written last.

Cells are numbers, date-times (a serial number in a date style), or inline strings
(t="inlineStr"); no formula element is ever written. Text a spreadsheet would read as a
formula if typed is `Quoted`: kept exactly, in the quotePrefix style. Text is XML-escaped
and characters XML 1.0 cannot hold are written as OOXML's _xHHHH_ escapes (a literal
"_xHHHH_" is protected as _x005F_xHHHH_), as Excel expects.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from surveyapp.exchange import xlsx_parts as parts

BATCH = 500  # rows per write to the compressor
COMPRESSLEVEL = 1  # deflate level: level 1 is several times faster and nearly as small
_EPOCH = datetime(1899, 12, 30)
_CONTROL = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x")

Cell = str | int | float | datetime | None


class Quoted(str):
    """Text that starts like a formula: written as text in the quotePrefix style, so a
    spreadsheet shows it as it is and keeps it text when the cell is edited."""

    __slots__ = ()


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its rows (the first is a header: bold, frozen and filtered when
    `header` is true) and the column widths in characters."""

    name: str
    rows: Iterable[Sequence[Cell]]
    widths: Sequence[float] = ()
    header: bool = True


def _escape_char(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


def _text(value: str, style: str) -> str:
    if _SPECIAL.search(value):
        value = escape(_CONTROL.sub(_escape_char, value))
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{value}</t></is></c>'


def cell(value: Cell, style: str = "") -> str:
    """One cell's XML: a number, a date-time, an inline string, or an empty cell for None.
    `style` (' s="n"') applies to text and numbers; dates and `Quoted` have their own."""
    kind = value.__class__
    if kind is str:
        return _text(value, style)
    if value is None:
        return "<c/>"
    if kind is Quoted:
        return _text(str(value), f' s="{parts.QUOTED}"')
    if kind is datetime:
        days = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c s="{parts.DATE}"><v>{days!r}</v></c>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"<c{style}><v>{value}</v></c>"
    return _text(str(value), style)


class _Sink:
    """An unseekable file that keeps what zipfile writes until it is taken."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _row(number: int, values: Sequence[Cell], style: str) -> str:
    return f'<row r="{number}">{"".join([cell(v, style) for v in values])}</row>'


def _write_sheet(zf: zipfile.ZipFile, sink: _Sink, number: int, sheet: Sheet) -> Iterator[str]:
    """Write one worksheet, yielding "" whenever the sink holds bytes to pass on, and
    finally the range its filter covers ("" for none)."""
    widest, count = 0, 0
    header = f' s="{parts.HEADER}"' if sheet.header else ""
    with zf.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as out:
        out.write(parts.sheet_start(list(sheet.widths), sheet.header).encode())
        batch: list[str] = []
        for count, values in enumerate(sheet.rows, 1):  # noqa: B007 (count is used after)
            widest = max(widest, len(values))
            batch.append(_row(count, values, header if count == 1 else ""))
            if len(batch) >= BATCH:
                out.write("".join(batch).encode())
                batch = []
                if sink.parts:
                    yield ""
        out.write("".join(batch).encode())
        ref = f"A1:{parts.column_letters(widest)}{count}" if sheet.header and widest else ""
        out.write(parts.sheet_end(ref).encode())
    yield ref


def stream(*sheets: Sheet) -> Iterator[bytes]:
    """The workbook's bytes, in pieces, as each sheet's rows are read. Yields once
    before reading any row."""
    sink = _Sink()
    filters: list[str | None] = []
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as zf:
        zf.writestr("[Content_Types].xml", parts.content_types(len(sheets)))
        zf.writestr("_rels/.rels", parts.ROOT_RELS)
        zf.writestr("xl/_rels/workbook.xml.rels", parts.workbook_rels(len(sheets)))
        zf.writestr("xl/styles.xml", parts.STYLES)
        yield sink.take()
        for number, sheet in enumerate(sheets, 1):
            ref = ""
            for ref in _write_sheet(zf, sink, number, sheet):  # noqa: B007 (the last is kept)
                if sink.parts:
                    yield sink.take()
            filters.append(ref or None)
        zf.writestr("xl/workbook.xml", parts.workbook([s.name for s in sheets], filters))
    yield sink.take()
