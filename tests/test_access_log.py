"""The gunicorn access log never records an invitation token (issue 11, item 10)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

import surveyapp.gunicorn_conf as conf
from surveyapp.gunicorn_log import RedactingLogger, redact

TOKEN = "Qm9vX2lkX3Rva2Vu.0123456789abcdef0123456789abcdef"


@pytest.fixture
def logger_writing_to():
    made: list[RedactingLogger] = []

    def make(path) -> RedactingLogger:
        config = Config()
        config.set("accesslog", str(path))
        config.set("access_log_format", conf.access_log_format)
        made.append(RedactingLogger(config))
        return made[-1]

    yield make
    for logger in made:
        for handler in logger.access_log.handlers:
            handler.close()


def request(path: str, query: str = "", referrer: str = "-"):
    raw = path + (f"?{query}" if query else "")
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": raw, "PATH_INFO": path, "QUERY_STRING": query,
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.7",
               "HTTP_REFERER": referrer, "HTTP_USER_AGENT": "test"}  # fmt: skip
    response = SimpleNamespace(status="302 FOUND", sent=0, headers=[("Location", "/s/invited")])
    headers = SimpleNamespace(headers=[("REFERER", referrer), ("HOST", "127.0.0.1")])
    return response, headers, environ


def test_gunicorn_uses_the_redacting_logger():
    assert conf.logger_class == "surveyapp.gunicorn_log.RedactingLogger"


@pytest.mark.parametrize(
    ("path", "referrer"),
    [(f"/i/{TOKEN}", "-"), (f"/survey/i/{TOKEN}", "-"),
     ("/%69/" + TOKEN.replace(".", "%2E"), "-"),  # percent-encoded: routed the same way
     ("/s/invited", f"http://127.0.0.1:5000/i/{TOKEN}")],
)  # fmt: skip
def test_access_lines_keep_the_request_but_not_the_token(
    logger_writing_to, tmp_path, path, referrer
):
    log = tmp_path / "access.log"
    logger = logger_writing_to(log)
    response, headers, environ = request(path, "utm=x", referrer)
    logger.access(response, headers, environ, datetime.timedelta(milliseconds=12))
    line = log.read_text(encoding="utf-8")
    assert "203.0.113.7" in line and " 302 " in line and "12ms" in line
    assert TOKEN.split(".")[0] not in line and TOKEN.split(".")[1] not in line
    assert "/i/<redacted>" in line


def test_every_atom_is_redacted_and_other_text_left_alone():
    logger = RedactingLogger(Config())
    response, headers, environ = request(f"/i/{TOKEN}", referrer=f"https://x.test/i/{TOKEN}?a=1")
    atoms = logger.atoms(response, headers, environ, datetime.timedelta(seconds=1))
    assert atoms["r"] == "GET /i/<redacted> HTTP/1.1" and atoms["U"] == "/i/<redacted>"
    assert atoms["f"] == "https://x.test/i/<redacted>?a=1" == atoms["{referer}i"]
    assert not any(TOKEN in str(value) for value in atoms.values())
    assert redact("GET /s/cmo?page=2 HTTP/1.1") == "GET /s/cmo?page=2 HTTP/1.1"
    assert redact("/admin/surveys/x?q=%2F") == "/admin/surveys/x?q=%2F"
