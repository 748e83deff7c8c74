"""The printed report's running header (a stylesheet per report) and its PDF: the report's
own HTML printed by a headless Chromium (REPORT_CHROMIUM) from a temporary folder, with
the shipped static files read from disk and every network name unresolvable."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from pathlib import Path

from flask import Response, abort, current_app, render_template, url_for

from surveyapp.web import catalog
from surveyapp.web.admin import auth, bp
from surveyapp.web.admin.reports import printed_on, report_context

UNAVAILABLE = "The PDF cannot be made on this server right now ({}). The page prints as well."
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-first-run",
    "--disable-default-apps", "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
)  # fmt: skip


def css_string(text: str) -> str:
    """`text` as a quoted CSS string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def page_rules(edition: int, printed_on: str) -> str:
    """The running header: the report's questionnaires on the left, the date on the right."""
    titles = [d.title for s in sorted(catalog()) if (d := catalog()[s].get(edition)) is not None]
    if not titles:
        abort(404, f"No questionnaire has an edition {edition}.")
    header = f"Survey report {edition}: " + "; ".join(titles)
    return (
        f"@page {{ @top-left {{ content: {css_string(header)}; }}"
        f" @top-right {{ content: {css_string(printed_on)}; }} }}\n"
    )


@bp.get("/report/<int:edition>/page.css")
@auth.login_required
def report_page_css(edition: int):
    return Response(page_rules(edition, printed_on()), mimetype="text/css")


@bp.get("/report/<int:edition>.pdf")
@auth.login_required
def report_pdf(edition: int):
    context = report_context(edition)
    html = render_template("admin/report.html", page_css="page.css", **context)
    # the page's /static/ addresses, read from the shipped folder instead
    static = url_for("static", filename="")
    html = html.replace(f'"{static}', f'"{Path(current_app.static_folder).as_uri()}/')
    with tempfile.TemporaryDirectory(prefix="surveyapp-report-") as folder:
        source = Path(folder) / "report.html"
        source.write_text(html, encoding="utf-8")
        (Path(folder) / "page.css").write_text(page_rules(edition, context["printed_on"]))
        pdf = print_pdf(source)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="report-{edition}.pdf"'},
    )


def print_pdf(source: Path) -> bytes:
    """The PDF Chromium prints of the HTML file `source`; 503 when it cannot."""
    target = source.with_suffix(".pdf")
    command = [
        str(current_app.config["REPORT_CHROMIUM"]), *FLAGS,
        f"--user-data-dir={source.parent / 'profile'}", f"--print-to-pdf={target}",
        source.as_uri(),
    ]  # fmt: skip
    seconds = float(current_app.config["REPORT_PDF_SECONDS"])
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(source.parent)}
    try:
        process = subprocess.Popen(  # noqa: S603 - the configured browser, fixed arguments
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
            start_new_session=True,
        )  # fmt: skip
    except OSError as exc:
        current_app.logger.warning("report PDF: cannot start %s: %s", command[0], exc)
        abort(503, UNAVAILABLE.format("the browser that prints it is missing"))
    try:
        code = process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        _end(process)
    if code != 0 or not target.is_file() or target.stat().st_size == 0:
        current_app.logger.warning("report PDF: %s ended with %s", command[0], code)
        reason = "printing took too long" if code is None else "the browser failed to print it"
        abort(503, UNAVAILABLE.format(reason))
    return target.read_bytes()


def _end(process: subprocess.Popen) -> None:
    """Stop whatever of the browser's process group is still running."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
