"""The webhooks page of a questionnaire: add (secret shown once), list, delete, the
messages with a resend button and the delivery log; admins only."""

from __future__ import annotations

import re

import pytest

from bench.receiver import Receiver, verified
from surveyapp import store
from surveyapp.exchange.webhooks import Deliverer
from surveyapp.store import audit
from tests.adminkit import add, cmo, csrf, login
from tests.apikit import api_app

pytestmark = pytest.mark.both_engines

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{44}")
PAGE = "/admin/surveys/cmo/webhooks"


def admin(app):
    client = app.test_client()
    assert login(client, "ada").status_code == 302
    return client


def add_on_page(client, url, events=("response.completed",)):
    token = csrf(client.get(PAGE).text)
    return client.post(PAGE, data={"csrf_token": token, "url": url, "events": list(events)})


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(make_app):
    app = api_app(make_app, WEBHOOKS_ALLOW_PRIVATE=True)
    client = admin(app)
    with Receiver() as receiver:
        added = add_on_page(client, receiver.url, ["response.completed", "edition.closed"])
        assert added.status_code == 200
        (secret,) = SECRET.findall(added.text)
        again = client.get(PAGE).text
        assert secret not in again and receiver.url in again
        assert "response.completed, edition.closed" in again
        add(app, "cmo", cmo())
        Deliverer(app.config["DATABASE"], True, threads=1).run_once()
    assert verified(secret, receiver.received[0])["type"] == "response.completed"
    page = client.get(PAGE).text
    assert "delivered" in page and "200" in page  # the message and the delivery log
    db = store.thread_connection(app.config["DATABASE"])
    entry = audit.entries(db, 1, 0)[0]
    assert entry["action"] == "webhook_add" and entry["details"]["url"] == receiver.url
    assert secret not in str(audit.entries(db, 10, 0))


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("http://127.0.0.1:8000/hook", ["response.completed"], "https://"),
        ("https://127.0.0.1:8000/hook", ["response.completed"], "private, loopback"),
        ("https://8.8.8.8/hook", [], "Choose at least one event"),
        ("https://8.8.8.8/hook", ["response.shredded"], "Choose at least one event"),
    ],
)
def test_refused_endpoints_are_explained_and_not_stored(make_app, url, events, message):
    app = api_app(make_app)
    refused = add_on_page(admin(app), url, events)
    assert refused.status_code == 400
    assert message in refused.text
    assert not SECRET.findall(refused.text)
    db = store.thread_connection(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM webhook_endpoints").fetchone()[0] == 0


def test_delete_and_resend_from_the_page(make_app):
    app = api_app(make_app, WEBHOOKS_ALLOW_PRIVATE=True)
    client = admin(app)
    with Receiver() as receiver:
        add_on_page(client, receiver.url)
        add(app, "cmo", cmo())
        worker = Deliverer(app.config["DATABASE"], True, threads=1)
        worker.run_once()
        page = client.get(PAGE).text
        resent = client.post(f"{PAGE}/messages/1/resend", data={"csrf_token": csrf(page)})
        assert resent.status_code == 303
        worker.run_once()
        assert len(receiver.received) == 2
        assert (
            receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
        )
    deleted = client.post(f"{PAGE}/1/delete", data={"csrf_token": csrf(page)})
    assert deleted.status_code == 303
    page = client.get(PAGE).text
    assert "No endpoints yet" in page and "(deleted)" in page
    assert client.post(f"{PAGE}/1/delete", data={"csrf_token": csrf(page)}).status_code == 404
    missing = client.post(f"{PAGE}/messages/1/resend", data={"csrf_token": csrf(page)})
    assert missing.status_code == 404
    db = store.thread_connection(app.config["DATABASE"])
    assert [e["action"] for e in audit.entries(db, 2, 0)] == ["webhook_delete", "webhook_resend"]


def test_viewers_get_no_webhooks(make_app):
    app = api_app(make_app, WEBHOOKS_ALLOW_PRIVATE=True)
    viewer = app.test_client()
    login(viewer, "vic")
    assert viewer.get(PAGE).status_code == 403
    token = csrf(viewer.get("/admin/tokens").text)
    assert viewer.post(PAGE, data={"csrf_token": token, "url": "http://127.0.0.1/",
                                   "events": ["edition.opened"]}).status_code == 403  # fmt: skip
    assert "Webhooks" not in viewer.get("/admin/surveys/cmo").text
    assert "Webhooks" in admin(app).get("/admin/surveys/cmo").text
    assert admin(app).get("/admin/surveys/nope/webhooks").status_code == 404
