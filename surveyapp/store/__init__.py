"""The store: the only package that speaks SQL.

Callers write `from surveyapp import store` and use the names below; the tables of
one subject live in a module of their own (accounts, audit, editions, invitations,
imports, logins, throttles, backup, schema).
"""

from surveyapp.store.connection import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    ReadBudgetExceeded,
    StorageError,
    check_settings,
    close_thread_connections,
    connect,
    immediate,
    read_budget,
    thread_connection,
)
from surveyapp.store.drafts import (
    DraftRules,
    DraftsThrottled,
    load_draft,
    load_draft_entry,
    load_draft_state,
    save_draft,
)
from surveyapp.store.errors import StorageBusy
from surveyapp.store.maintenance import Maintenance
from surveyapp.store.responses import (
    counter_deltas,
    insert_many,
    insert_response,
    response_for_key,
)
from surveyapp.store.timestamps import utcnow

__all__ = [
    "DatabaseError",
    "DraftRules",
    "DraftsThrottled",
    "IntegrityError",
    "Maintenance",
    "OperationalError",
    "ReadBudgetExceeded",
    "StorageBusy",
    "StorageError",
    "check_settings",
    "close_thread_connections",
    "connect",
    "counter_deltas",
    "immediate",
    "insert_many",
    "insert_response",
    "load_draft",
    "load_draft_entry",
    "load_draft_state",
    "read_budget",
    "response_for_key",
    "save_draft",
    "thread_connection",
    "utcnow",
]
