"""Save and continue later: the signed link, its page, resuming on another device, e-mail."""

from __future__ import annotations

import email
import email.policy
import json
import re
import socket
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from itsdangerous import TimestampSigner

from surveyapp import store
from surveyapp.store import editions
from tests.conftest import TEST_QUESTIONNAIRES
from tests.walker import Respondent, hidden

pytestmark = pytest.mark.both_engines

INVITED = Path(__file__).resolve().parent / "invite_questionnaires"
LINK = re.compile(r'id="resume-link" type="text" readonly value="([^"]+)"')


def saved_link(client, survey: str = "t_pages") -> tuple[Respondent, str]:
    """Answer page 1, choose on page 2, press Save and continue later: (respondent, link path)."""
    respondent = Respondent(client, survey)
    respondent.post(1, {"first": "Héllo"})
    page = respondent.post(2, {"second": "y"}, action="save")
    assert page.status_code == 200, page.status_code
    assert "Your answers are saved" in page.text
    link = LINK.search(page.text).group(1)
    assert link.startswith("http://localhost/r/")
    return respondent, link.removeprefix("http://localhost")


def responses(app) -> list[dict]:
    db = store.thread_connection(app.config["DATABASE"])
    return [json.loads(row[0]) for row in db.execute("SELECT answers FROM responses")]


@pytest.fixture
def pages_app(make_app):
    return make_app(TEST_QUESTIONNAIRES)


def test_every_page_of_an_open_questionnaire_offers_save(pages_app):
    client = pages_app.test_client()
    for number in (1, 2, 3):
        html = client.get(f"/s/t_pages?page={number}").text
        assert 'name="action" value="save"' in html and "Save and continue later" in html


def test_the_link_restores_answers_and_page_in_a_fresh_client_and_submits_once(pages_app):
    _respondent, link = saved_link(pages_app.test_client())
    desk = pages_app.test_client()
    opened = desk.get(link)
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/s/t_pages?page=2")
    page2 = desk.get(opened.headers["Location"]).text
    assert re.search(r'value="y"[^>]*checked|checked[^>]*value="y"', page2)
    assert 'value="Héllo"' in desk.get("/s/t_pages?page=1").text
    resumed = Respondent(desk, "t_pages")
    resumed.open(2)
    resumed.post(2, {"second": "y"})
    done = resumed.post(3, {"third": "q"}, action="submit")
    assert done.status_code == 302 and "/thanks" in done.headers["Location"]
    assert responses(pages_app) == [{"first": "Héllo", "second": "y", "third": ["q"]}]
    again = pages_app.test_client().get(link, follow_redirects=True)
    assert "already received" in again.text
    assert len(responses(pages_app)) == 1


def test_an_incomplete_page_is_saved(pages_app):
    client = pages_app.test_client()
    respondent = Respondent(client, "t_pages")
    saved = respondent.post(1, {"first": ""}, action="save")
    assert saved.status_code == 200 and "Your answers are saved" in saved.text
    link = LINK.search(saved.text).group(1).removeprefix("http://localhost")
    assert pages_app.test_client().get(link).headers["Location"].endswith("page=1")


def test_answers_not_valid_are_shown_again_and_the_valid_ones_saved(make_app):
    app = make_app(TEST_QUESTIONNAIRES)
    client = app.test_client()
    respondent = Respondent(client, "t_number")
    page = respondent.post(1, {"staff": "many", "share": "5"}, action="save")
    assert page.status_code == 422
    assert "could not be saved" in page.text and 'value="many"' in page.text
    key = hidden(page.text)["submission_key"]
    db = store.thread_connection(app.config["DATABASE"])
    assert store.load_draft(db, key) == {"share": "5"}


def test_an_expired_link_says_so(pages_app, monkeypatch):
    month_ago = int(time.time()) - 31 * 86400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: month_ago)
    _respondent, link = saved_link(pages_app.test_client())
    monkeypatch.undo()
    page = pages_app.test_client().get(link)
    assert page.status_code == 410 and "has expired" in page.text


def test_the_age_limit_is_a_setting(make_app, monkeypatch):
    app = make_app(TEST_QUESTIONNAIRES, RESUME_DAYS=60)
    month_ago = int(time.time()) - 31 * 86400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: month_ago)
    _respondent, link = saved_link(app.test_client())
    monkeypatch.undo()
    assert app.test_client().get(link).status_code == 302


def test_a_link_whose_draft_is_gone_says_it_expired(pages_app):
    _respondent, link = saved_link(pages_app.test_client())
    db = store.thread_connection(pages_app.config["DATABASE"])
    with store.immediate(db):
        db.execute("DELETE FROM drafts")
    page = pages_app.test_client().get(link)
    assert page.status_code == 410 and "has expired" in page.text


@pytest.mark.parametrize("change", ["flip", "cut", "garbage", "other-secret"])
def test_a_tampered_link_is_refused_plainly(pages_app, make_app, change):
    _respondent, link = saved_link(pages_app.test_client())
    token = link.removeprefix("/r/")
    tampered = {
        "flip": token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:],
        "cut": token[: len(token) // 2],
        "garbage": "not-a-token",
        "other-secret": _other_secret_token(pages_app, token),
    }[change]
    for path in (f"/r/{tampered}", f"/s/t_pages/saved?t={tampered}"):
        page = pages_app.test_client().get(path)
        assert page.status_code == 403 and "not valid" in page.text, path


def _other_secret_token(app, token: str) -> str:
    from itsdangerous import URLSafeTimedSerializer

    from surveyapp.web.survey.resume import SALT

    data = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT).loads(token)
    return URLSafeTimedSerializer("another-secret", salt=SALT).dumps(data)


def test_after_the_edition_closes_the_link_shows_closed(pages_app):
    _respondent, link = saved_link(pages_app.test_client())
    db = store.thread_connection(pages_app.config["DATABASE"])
    editions.close(db, pages_app.extensions["surveys"], "t_pages", 2020)
    page = pages_app.test_client().get(link)
    assert page.status_code == 410 and "has closed" in page.text


def test_invitation_questionnaires_offer_no_save(make_app):
    app = make_app(INVITED)
    html = app.test_client().get("/s/t_pages").text
    assert "Save and continue later" in html
    from tests.test_invitations import invite

    [link] = invite(app, "invited", "--count", "1")
    client = app.test_client()
    client.get(link)
    page = client.get("/s/invited").text
    assert "Save and continue later" not in page


def test_without_smtp_there_is_no_email_field(pages_app):
    client = pages_app.test_client()
    respondent = Respondent(client, "t_pages")
    saved = respondent.post(1, {"first": "a"}, action="save")
    assert 'type="email"' not in saved.text and "e-mail" not in saved.text


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def mail_app(make_app, port: int):
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_FROM": "survey@example.org"}
    return make_app(TEST_QUESTIONNAIRES, PUBLIC_URL="https://survey.example.org", **mail)


def stored_anywhere(app, engine: str, text: str) -> bool:
    """Whether `text` is in the database: in any byte of the SQLite file or its WAL (free
    pages too), or in any row of any table on PostgreSQL."""
    if engine == "sqlite":
        files = [Path(app.config["DATABASE"]), Path(app.config["DATABASE"] + "-wal")]
        return any(text.encode() in f.read_bytes() for f in files if f.exists())
    db = store.thread_connection(app.config["DATABASE"])
    return any(text in repr(row) for table in db.table_names()
               for row in db.execute(f"SELECT * FROM {table}").fetchall())  # noqa: S608 - names from the catalog  # fmt: skip


def test_the_link_is_emailed_and_the_address_not_kept(make_app, smtp, engine):
    controller, inbox = smtp
    app = mail_app(make_app, controller.port)
    client = app.test_client()
    _respondent, link = saved_link(client)
    page = client.get(link.replace("/r/", "/s/t_pages/saved?t="))
    assert 'type="email"' in page.text
    token = link.removeprefix("/r/")
    form = {"csrf_token": hidden_csrf(page.text), "t": token}
    bad = client.post("/s/t_pages/saved", data=form | {"email": "not an address"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert "Please enter an e-mail address" in bad.text and not inbox.messages
    sent = client.post("/s/t_pages/saved", data=form | {"email": "ada@example.net"})
    assert sent.status_code == 200 and "The link was sent" in sent.text
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["ada@example.net"]
    body = envelope.content.decode()
    assert f"https://survey.example.org/r/{token}" in body.replace("=\r\n", "")
    assert stored_anywhere(app, engine, "Héllo")  # the check sees what is stored
    assert not stored_anywhere(app, engine, "ada@example.net")


def test_a_mail_server_that_cannot_be_reached_is_an_error_at_the_field(make_app):
    app = mail_app(make_app, free_port())
    client = app.test_client()
    _respondent, link = saved_link(client)
    page = client.get(link.replace("/r/", "/s/t_pages/saved?t="))
    data = {"csrf_token": hidden_csrf(page.text), "t": link.removeprefix("/r/"),
            "email": "ada@example.net"}  # fmt: skip
    failed = client.post("/s/t_pages/saved", data=data)
    assert failed.status_code == 503 and "could not send the e-mail" in failed.text
    assert 'value="ada@example.net"' in failed.text and LINK.search(failed.text)


def hidden_csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_link_is_emailed_in_the_pages_language(make_app, smtp):
    controller, inbox = smtp
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_FROM": "s@example.org"}
    client = make_app(PUBLIC_URL="https://survey.example.org", **mail).test_client()
    client.get("/s/cmo?lang=fr")
    page = Respondent(client, "cmo").post(1, {}, action="save")
    token = re.search(r'name="t" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": hidden_csrf(page.text), "t": token}
    bad = client.post("/s/cmo/saved", data=form | {"email": "nope"})
    assert bad.status_code == 422 and "Veuillez saisir une adresse e-mail" in bad.text
    sent = client.post("/s/cmo/saved", data=form | {"email": "ada@example.net"})
    assert "Le lien a été envoyé." in sent.text
    [envelope] = inbox.messages
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert (
        message["Subject"]
        == "Continuer «\u00a0Travailler avec des clients du secteur biopharmaceutique\u00a0»"
    )
    body = message.get_content()
    assert body.startswith("Pour continuer à répondre à «\u00a0Travailler avec des clients")
    assert f"https://survey.example.org/r/{token}" in body and "ne pas le communiquer" in body
