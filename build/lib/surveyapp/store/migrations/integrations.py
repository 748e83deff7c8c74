"""Migrations for other systems: API tokens and webhooks (their SQL lives in the store
modules of those subjects)."""

from __future__ import annotations

import sqlite_utils

from surveyapp.store.migrations import migrations


@migrations()
def m011_api_tokens(db: sqlite_utils.Database) -> None:
    """API tokens (hashed), their request windows and API submissions' idempotency keys."""
    from surveyapp.store import tokens

    db.executescript(tokens.SQL)


@migrations()
def m012_webhooks(db: sqlite_utils.Database) -> None:
    """Webhook endpoints, the outbox written with each event, and the delivery log."""
    from surveyapp.store import webhooks

    db.executescript(webhooks.SQL)
