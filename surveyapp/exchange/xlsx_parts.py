"""The fixed XML parts of the workbooks `surveyapp.exchange.xlsx` writes: package
relationships, content types, the workbook with its sheets and the styles (a bold header,
a date-time format and a quote-prefixed text style)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Indexes into cellXfs below.
HEADER, DATE, QUOTED = 1, 2, 3
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
ROOT_RELS = (
    f'{_HEAD}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
    f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def _per_sheet(template: str, sheets: int) -> str:
    """`template` (with {n}) once per sheet number, joined."""
    return "".join(template.format(n=n) for n in range(1, sheets + 1))


def content_types(sheets: int) -> str:
    part = (
        '<Override PartName="/xl/worksheets/sheet{n}.xml" '
        + f'ContentType="{_OFFICE}.worksheet+xml"/>'
    )
    overrides = _per_sheet(part, sheets)
    return (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
        f'{overrides}<Override PartName="/xl/styles.xml" ContentType="{_OFFICE}.styles+xml"/>'
        "</Types>"
    )


def workbook_rels(sheets: int) -> str:
    link = (
        f'<Relationship Id="rId{{n}}" Type="{_DOC_RELS}/worksheet" '
        'Target="worksheets/sheet{n}.xml"/>'
    )
    links = _per_sheet(link, sheets)
    return (
        f'{_HEAD}<Relationships xmlns="{_RELS}">{links}<Relationship Id="rId{sheets + 1}" '
        f'Type="{_DOC_RELS}/styles" Target="styles.xml"/></Relationships>'
    )


def workbook(names: list[str], filters: list[str | None]) -> str:
    """The workbook: its sheets and, for each filtered one, the hidden name spreadsheets
    use to find the filter's range."""
    sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(names, 1)
    )
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        f"{escape(_quoted_sheet(names[n]))}!{_absolute(ref)}</definedName>"
        for n, ref in enumerate(filters)
        if ref
    )
    return (
        f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>{sheets}</sheets>'
        f"{f'<definedNames>{defined}</definedNames>' if defined else ''}</workbook>"
    )


def sheet_start(widths: list[float], frozen: bool) -> str:
    """A worksheet up to its first row: the frozen header pane and the column widths."""
    pane = (
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
        "</sheetView></sheetViews>"
        if frozen
        else ""
    )
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>'
        for n, width in enumerate(widths, 1)
    )
    return (
        f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">{pane}'
        f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
    )


def sheet_end(ref: str | None) -> str:
    return f"</sheetData>{f'<autoFilter ref={quoteattr(ref)}/>' if ref else ''}</worksheet>"


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _absolute(ref: str) -> str:
    first, last = ref.split(":")
    return f"{_dollars(first)}:{_dollars(last)}"


def _dollars(cell: str) -> str:
    split = next(i for i, c in enumerate(cell) if c.isdigit())
    return f"${cell[:split]}${cell[split:]}"


def _quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"
