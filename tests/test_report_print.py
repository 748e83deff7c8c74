"""The printed report as paper: its PDF (Chromium's print of the report page) read back with
pypdf (pages, running header, date, page numbers, plain wording, shipped font), its first
page rendered to tests/artifacts/report-page1.png; the role rules and a clear 503 when the
browser is missing, fails or hangs; the compact matrix chart's geometry."""

from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pypdfium2
import pytest

from surveyapp.exchange.importer import import_file
from surveyapp.figures.trend_charts import matrix_chart, ordinal, ranking_words, x_of
from surveyapp.web.admin.printed import css_string
from tests.adminkit import add, admin_client, login, make_admin
from tests.history import HISTORY, history_app

pytestmark = pytest.mark.both_engines

ARTIFACTS = Path(__file__).parent / "artifacts"
HEADER = (
    "Survey report 2012: Choosing a contract manufacturer; Working with biopharmaceutical clients"
)
LEVELS = ["very_important", "important", "somewhat_important", "not_important"]
ITEMS = ["good_relationship", "quality_standards", "cross_contamination", "protect_ip",
         "stick_to_schedule", "capacity"]  # fmt: skip


def client_answers(index: int) -> dict:
    answers = {"company_size": "small", "region": "europe", "outsources_commercial": "yes"}
    answers |= {f"importance-{item}": LEVELS[(index + n) % 4] for n, item in enumerate(ITEMS)}
    return answers | {"comments": f"Client remark number {index}: schedules matter."}


def importing(app, db):
    for edition, path in HISTORY.items():
        assert import_file(db, app.extensions["surveys"], "cmo", edition, path).ok
    for index in range(7):
        add(app, "client", client_answers(index))
    return app


@pytest.fixture
def app(make_app):
    return history_app(make_app)


@pytest.fixture
def history(app, db):
    return importing(app, db)


def today() -> str:
    day = datetime.now(UTC).date()
    return f"{day.day} {day:%B %Y}"


def pdf_of(client, edition: int) -> pypdf.PdfReader:
    response = client.get(f"/admin/report/{edition}.pdf")
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="report-{edition}.pdf"'
    )
    return pypdf.PdfReader(io.BytesIO(response.data))


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_2012_report_prints_to_at_most_four_a4_pages_numbered_and_dated(history):
    reader = pdf_of(admin_client(history), 2012)
    pages = [flat(page.extract_text()) for page in reader.pages]
    assert 2 <= len(pages) <= 4  # each questionnaire starts a page
    for number, (page, text) in enumerate(zip(reader.pages, pages, strict=True), start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
        assert f"Page {number} of {len(pages)}" in text
        assert text.startswith(f"{HEADER} {today()}")
    text = " ".join(pages)
    assert "ranks 10th by top-box, 3rd by top-2-box" in text  # unsuitable cell lines, 2012
    assert "Rank change" not in text and "down 2 by top-box" not in text
    assert "Both sides" in text and "Client remark number 6: schedules matter." in text
    assert "top-2-box by edition, 2010–2012" in text
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}  # fmt: skip
    assert fonts and all("DejaVuSansCondensed" in name for name in fonts), fonts
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-page1.png").write_bytes(first_page_png(reader))


def first_page_png(reader: pypdf.PdfReader) -> bytes:
    """Page 1 rendered by PDFium, written as an RGB PNG."""
    document = pypdfium2.PdfDocument(reader.stream.getvalue())
    bitmap = document[0].render(scale=1.5, rev_byteorder=True)
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    assert bitmap.n_channels == 3
    data = bytes(bitmap.buffer)
    rows = b"".join(b"\0" + data[y * stride : y * stride + width * 3] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(rows))
        + (chunk(b"IEND", b""))
    )


def test_both_sides_only_when_the_edition_has_a_mirrored_pair(history):
    admin = admin_client(history)
    with_pair = admin.get("/admin/report/2012").text
    assert 'id="both-sides"' in with_pair and 'href="#both-sides"' in with_pair
    assert with_pair.count("<tr data-pair=") == 2
    alone = admin.get("/admin/report/2010").text
    assert "both-sides" not in alone and "Both sides" not in alone and "/compare/" not in alone
    text = flat(" ".join(page.extract_text() for page in pdf_of(admin, 2010).pages))
    assert "Both sides" not in text and "Page 1 of 1" in text
    assert text.startswith(f"Survey report 2010: Working with biopharmaceutical clients {today()}")


def test_the_pdf_and_its_header_follow_the_report_role_rules(history):
    anonymous = history.test_client()
    for url in ["/admin/report/2012.pdf", "/admin/report/2012/page.css"]:
        assert anonymous.get(url).status_code == 302
    make_admin(history, "vera", role="viewer")
    viewer = history.test_client()
    login(viewer, "vera")
    for url in ["/admin/report/2012", "/admin/report/2012.pdf", "/admin/report/2012/page.css"]:
        assert viewer.get(url).status_code == 403, url
    admin = admin_client(history)
    css = admin.get("/admin/report/2012/page.css")
    assert css.mimetype == "text/css"
    assert f"@top-left {{ content: {css_string(HEADER)}; }}" in css.text
    assert f'@top-right {{ content: "{today()}"; }}' in css.text
    assert admin.get("/admin/report/1999.pdf").status_code == 404
    assert admin.get("/admin/report/1999/page.css").status_code == 404


def test_css_strings_are_escaped():
    assert css_string('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\A d"'


@pytest.mark.parametrize(
    ("browser", "seconds", "reason"),
    [
        ("/nonexistent/chromium", 60, "the browser that prints it is missing"),
        ("/bin/false", 60, "the browser failed to print it"),
        ("sleeper", 0.5, "printing took too long"),
    ],
)
def test_without_a_working_browser_the_pdf_is_a_clear_503(make_app, tmp_path, browser, seconds,
                                                          reason):  # fmt: skip
    if browser == "sleeper":
        browser = tmp_path / "sleeper"
        browser.write_text("#!/bin/sh\nsleep 30\n")
        browser.chmod(0o755)
    app = history_app(make_app, REPORT_CHROMIUM=str(browser), REPORT_PDF_SECONDS=seconds)
    admin = admin_client(app)
    response = admin.get("/admin/report/2012.pdf")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert f"The PDF cannot be made on this server right now ({reason})" in response.text
    assert admin.get("/admin/report/2012").status_code == 200  # the page itself still prints


def test_the_report_page_draws_one_chart_per_matrix_with_a_table_beside_it(history):
    html = admin_client(history).get("/admin/report/2012").text
    charts = re.findall(r'<svg class="matrix-trend"[^>]*aria-label="([^"]*)"', html)
    assert len(charts) == 2  # client's importance, cmo's problems
    assert "2010 " in charts[1] and "2012 " in charts[1] and "not asked in 2010" not in charts[0]
    cmo_chart = html.split('data-question="problems"')[1].split("</figure>")[0]
    marks = re.findall(r'<circle class="mark (ed-[a-z0-9]+)"[^>]*><title>(\d+): ', cmo_chart)
    assert marks.count(("ed-last", "2012")) == 10  # every cmo item answered in 2012
    assert marks.count(("ed-2", "2010")) == 9  # hand_off was not asked in 2010
    assert html.count('<table class="matrix-table">') == 2
    assert "ranks 10th by top-box, 3rd by top-2-box" in html and "Rank change" not in html
    assert 'href="/admin/report/2012.pdf"' in html


def cell(share: float, n: int = 20, suppressed: bool = False) -> dict:
    return {"n": n, "top2_box": share, "top2_ci95": [share - 10, share + 10],
            "suppressed": suppressed}  # fmt: skip


def test_the_matrix_chart_places_each_edition_and_says_what_is_missing():
    items = [
        {"name": "first", "cells": {"2010": cell(20.0), "2011": cell(50.0), "2012": cell(80.0)}},
        {"name": "second", "cells": {"2010": None, "2011": cell(0, 3, True), "2012": cell(40.0)}},
        {"name": "third " * 30, "cells": {"2010": cell(10.0), "2011": cell(10.0), "2012": None}},
    ]
    chart = matrix_chart("Q", [2010, 2011, 2012], items)
    first, second, third = chart["rows"]
    assert [m["x"] for m in first["marks"]] == [x_of(20), x_of(50), x_of(80)]
    assert [m["css"] for m in first["marks"]] == ["ed-2", "ed-1", "ed-last"]
    assert first["span"] == {"x1": x_of(20), "x2": x_of(80)}
    assert first["ci"] == {"x1": x_of(70), "x2": x_of(90)} and first["value"] == "80%"
    assert len(second["marks"]) == 1 and second["span"] is None
    assert "2010 not asked in 2010, 2011 n < 5, 2012 40.0%" in second["spoken"]
    assert third["value"] == "not asked in 2012" and third["ci"] is None
    assert len(third["lines"]) == 3 and third["lines"][-1].endswith("…")
    assert third["height"] == 3 * first["height"] - 2 * 5
    assert second["top"] == first["top"] + first["height"]
    assert chart["height"] == third["top"] + third["height"] + 2
    assert x_of(0) < x_of(100) <= chart["value_x"] < chart["width"]
    assert not chart["empty"]
    assert matrix_chart("Q", [2012], [{"name": "x", "cells": {"2012": None}}])["empty"]


def test_ranks_in_words():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
        "112th",
    ]  # fmt: skip
    assert ranking_words(3, 1) == "ranks 3rd by top-box, 1st by top-2-box"


def test_the_printed_html_refers_to_local_files_only(history, monkeypatch):
    printed: list[str] = []

    def capture(source: Path) -> bytes:
        printed.append(source.read_text(encoding="utf-8"))
        assert (source.parent / "page.css").read_text().startswith("@page { @top-left")
        return b"%PDF-1.4 captured"

    monkeypatch.setattr("surveyapp.web.admin.printed.print_pdf", capture)
    response = admin_client(history).get("/admin/report/2012.pdf")
    assert response.data == b"%PDF-1.4 captured"
    addresses = re.findall(r'(?:href|src)="([^"#]*)"', printed[0])
    static = Path(history.static_folder).as_uri()
    assert f"{static}/print.css" in addresses and "page.css" in addresses
    remote = [a for a in addresses if not (a.startswith(f"{static}/") or a == "page.css")]
    assert all(a.startswith("/") and "static" not in a for a in remote), remote  # page links
    assert "http://" not in printed[0] and "https://" not in printed[0]


def test_a_long_comment_list_is_cut_with_a_link_to_every_answer(history):
    client = admin_client(history)
    history.config["REPORT_COMMENTS"] = 3
    html = client.get("/admin/report/2012").text
    assert len(re.findall(r"Client remark number \d", html)) == 3
    assert "data-more-comments" in html and "/admin/surveys/client/results?edition=2012" in html
    history.config["REPORT_COMMENTS"] = 7
    html = client.get("/admin/report/2012").text
    assert len(re.findall(r"Client remark number \d", html)) == 7
    assert "data-more-comments" not in html.split('id="r-client"')[1].split("</section>")[0]
