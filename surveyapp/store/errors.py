"""Errors both engines raise (store.connection re-exports them; store.pg raises them too)."""

from __future__ import annotations

from sqlite_utils.utils import sqlite3


class StorageBusy(sqlite3.OperationalError):
    """The write queue stayed taken for the whole busy timeout: the write was not made."""
