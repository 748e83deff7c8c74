"""Our XLSX exports as LibreOffice Calc reads them (Debian's libreoffice-calc-nogui,
installed by scripts/install-libreoffice): formula-like text shows exactly as typed (no
leading "'", never computed), submission times are real date-times, and the codebook is
a second sheet."""

from __future__ import annotations

import csv
import shutil
import subprocess

from surveyapp.exchange import export
from tests.adminkit import admin_client
from tests.test_export import AWKWARD, CMO_HEADER
from tests.test_export import awkward as awkward  # the fixture

# Comma, double quote, UTF-8, first line 1, ..., cells as shown, every sheet to its own file.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def calc_sheets(tmp_path, data: bytes) -> dict[str, list[list[str]]]:
    soffice = shutil.which("soffice")
    assert soffice, "scripts/install-libreoffice installs LibreOffice Calc"
    (tmp_path / "book.xlsx").write_bytes(data)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", CSV_FILTER, "--outdir", str(tmp_path), str(tmp_path / "book.xlsx")],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    sheets = {}
    for name in ("responses", "codebook"):
        with open(tmp_path / f"book-{name}.csv", newline="", encoding="utf-8") as f:
            sheets[name] = list(csv.reader(f))
    return sheets


def test_libreoffice_shows_exact_text_real_dates_and_the_codebook(awkward, tmp_path):
    app, _ids = awkward
    data = admin_client(app).get("/admin/surveys/cmo/export.xlsx").get_data()
    sheets = calc_sheets(tmp_path, data)
    responses = sheets["responses"]
    assert responses[0] == CMO_HEADER
    # Calc keeps a cell's line breaks as line feeds: "\r\n" becomes "\n".
    assert [row[-1] for row in responses[1:]] == [t.replace("\r\n", "\n") for t in AWKWARD]
    assert [row[1] for row in responses[1:4]] == [
        "2026-03-01 10:00:00", "2026-03-01 10:00:01", "2026-03-01 10:00:02"]  # fmt: skip
    assert sheets["codebook"][0] == export.CODEBOOK
    assert len(sheets["codebook"]) == 1 + len(list(export.codebook_rows(
        app.extensions["surveys"]["cmo"])))  # fmt: skip
