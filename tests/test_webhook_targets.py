"""Where webhooks may go and how they are sent: https to public addresses only unless
allowed (every resolved address checked), redirects not followed, slow receivers timed
out, the retry schedule and the signature format."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from bench.receiver import Receiver
from surveyapp.exchange import targets
from surveyapp.exchange import webhooks as delivery
from surveyapp.store import deliveries, webhooks
from tests.adminkit import add, cmo
from tests.apikit import api_app
from tests.hookkit import db_of, deliverer, endpoint

pytestmark = pytest.mark.both_engines


@pytest.fixture
def app(make_app):
    return api_app(make_app, WEBHOOKS_ALLOW_PRIVATE=True)


def test_redirects_are_not_followed(app):
    with Receiver(answer=lambda r: 302 if r.path == "/hook" else 200) as receiver:
        endpoint(app, receiver.url)
        add(app, "cmo", cmo())
        assert (
            deliverer(app).deliver(deliveries.take_due(db_of(app), datetime.now(UTC), 1)[0])
            == "retry"
        )
    assert [r.path for r in receiver.received] == ["/hook"]
    (attempt,) = deliveries.attempts(db_of(app), "cmo", 5)
    assert (attempt["status"], attempt["error"]) == (302, "HTTP 302")


def test_a_slow_receiver_times_out(app, monkeypatch):
    monkeypatch.setattr(targets, "READ_SECONDS", 0.3)
    monkeypatch.setattr(targets, "CONNECT_SECONDS", 0.3)

    release = threading.Event()
    with Receiver(answer=lambda _r: release.wait(5) and 200) as receiver:
        endpoint(app, receiver.url)
        add(app, "cmo", cmo())
        message = deliveries.take_due(db_of(app), datetime.now(UTC), 1)[0]
        outcome = deliverer(app).deliver(message)
        release.set()
    assert outcome == "retry"
    (attempt,) = deliveries.attempts(db_of(app), "cmo", 5)
    assert attempt["status"] is None and "timed out" in attempt["error"]
    assert len(receiver.received) == 1


def test_private_targets_are_refused_at_delivery_unless_allowed(app):
    with Receiver() as receiver:
        endpoint(app, receiver.url)
        add(app, "cmo", cmo())
        strict = deliverer(app)
        strict.allow_private = False
        assert strict.run_once() == 1
        (attempt,) = deliveries.attempts(db_of(app), "cmo", 5)
        assert "TargetRefused" in attempt["error"] and receiver.received == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://example.org/hook", "https://"),
        ("https://127.0.0.1/hook", "private, loopback"),
        ("https://10.1.2.3/hook", "private, loopback"),
        ("https://169.254.169.254/latest", "private, loopback"),
        ("https://[::1]/hook", "private, loopback"),
        ("https://[::ffff:127.0.0.1]/hook", "private, loopback"),
        ("https://100.64.0.1/hook", "private, loopback"),
        ("https://0.0.0.0/hook", "private, loopback"),
        ("https://224.0.0.1/hook", "private, loopback"),
        ("https://240.0.0.1/hook", "private, loopback"),
        ("https://localhost/hook", "private, loopback"),
        ("https://user:pw@203.0.113.9/hook", "no user name"),
        ("ftp://203.0.113.9/hook", "https://"),
        ("https:///hook", "host name"),
        ("https://a b/hook", "without spaces"),
        ("https://203.0.113.9:99999/hook", "not a URL"),
    ],
)
def test_targets_are_checked(url, problem):
    with pytest.raises(targets.TargetRefused, match=problem):
        targets.check(url, allow_private=False)


def test_public_and_allowed_targets_pass():
    assert targets.check("https://8.8.8.8/hook?x=1", False).path == "/hook?x=1"
    assert targets.check("http://127.0.0.1:8080/", True).port == 8080
    with pytest.raises(targets.TargetRefused):
        targets.check("https://0.0.0.0/", True)  # never the unspecified address


def test_the_delay_schedule():
    assert [delivery.delay_after(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert delivery.delay_after(12) == 7.5 * 3600
    assert delivery.delay_after(13) is None
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_")
    signature = delivery.sign(secret, "msg_1", 1_700_000_000, b"{}")
    assert signature.startswith("v1,") and len(signature) == 47
