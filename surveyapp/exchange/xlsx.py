"""A one-sheet XLSX workbook written as a stream: the zip is produced while rows are read.

XlsxWriter (and every library that writes a whole workbook) emits the file only when
it is closed, so a download of a million rows would start after the last row. Here the
sheet XML is deflated into a zip as rows arrive (zipfile writes to an unseekable sink
with data descriptors), so the first bytes leave at once and memory stays flat.

Cells are numbers or inline strings (t="inlineStr"); no formula element is ever
written. Text is XML-escaped and characters XML 1.0 cannot hold are written as OOXML's
_xHHHH_ escapes (a literal "_xHHHH_" is protected as _x005F_xHHHH_), as Excel expects.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

BATCH = 500  # rows per write to the compressor
COMPRESSLEVEL = 1  # deflate level: level 1 is several times faster and nearly as small
_CONTROL = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x")
_STATIC = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
        'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
        'builtinId="0"/></cellStyles></styleSheet>'
    ),
}
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def _workbook(sheet_name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return f"_x{ord(char):04X}_"


def cell(value: str | int | float | None) -> str:
    """One cell's XML: a number, an inline string, or an empty cell for None."""
    if value is None:
        return "<c/>"
    if value.__class__ is not str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"<c><v>{value}</v></c>"
        value = str(value)
    if _SPECIAL.search(value):
        value = escape(_CONTROL.sub(_escape_char, value))
    return f'<c t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


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


def stream(rows: Iterable[Iterable[str | int | float | None]], sheet_name: str) -> Iterator[bytes]:
    """The workbook's bytes, in pieces, as `rows` (lists of cell values; the first row is
    usually the header) are read. Yields once before reading any row."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as zf:
        for name, text in _STATIC.items():
            zf.writestr(name, text)
        zf.writestr("xl/workbook.xml", _workbook(sheet_name))
        yield sink.take()
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START.encode())
            batch: list[str] = []
            for number, row in enumerate(rows, 1):
                batch.append(f'<row r="{number}">{"".join(cell(v) for v in row)}</row>')
                if len(batch) >= BATCH:
                    sheet.write("".join(batch).encode())
                    batch = []
                    if sink.parts:
                        yield sink.take()
            sheet.write("".join(batch).encode())
            sheet.write(_SHEET_END.encode())
    yield sink.take()
