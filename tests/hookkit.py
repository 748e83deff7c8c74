"""Helpers for webhook tests: endpoints, a deliverer on the test database, the outbox."""

from __future__ import annotations

from surveyapp import store
from surveyapp.exchange import webhooks as delivery
from surveyapp.store import webhooks

EVERY = list(webhooks.EVENTS)


def db_of(app):
    return store.thread_connection(app.config["DATABASE"])


def endpoint(app, url: str, events=EVERY, survey="cmo") -> str:
    return webhooks.add_endpoint(db_of(app), survey, url, list(events), "test")[1]


def deliverer(app, **options) -> delivery.Deliverer:
    return delivery.Deliverer(app.config["DATABASE"], allow_private=True, threads=1, **options)


def drain(worker: delivery.Deliverer, rounds: int = 10) -> None:
    for _ in range(rounds):
        if not worker.run_once():
            return


def outbox(app) -> list[dict]:
    return list(db_of(app).query("SELECT * FROM webhook_outbox ORDER BY id"))
