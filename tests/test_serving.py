"""Production settings: gunicorn options, per-thread connections, refusal of unsafe SQLite."""

from __future__ import annotations

import importlib
import threading

import pytest

from surveyapp import create_app, store
from surveyapp.web import get_db


def _config(tmp_path):
    return {"SECRET_KEY": "k", "DATABASE": str(tmp_path / "s.db")}


def _connect_then(pragma):
    original = store.connect

    def connect(path, **options):
        db = original(path, **options)
        with db.ensure_autocommit_on():
            db.execute(pragma)
        return db

    return connect


@pytest.mark.parametrize(
    ("pragma", "message"),
    [
        ("PRAGMA synchronous = NORMAL", "synchronous is 1, not FULL"),
        ("PRAGMA busy_timeout = 1000", "busy_timeout is 1000 ms, below 5000"),
        ("PRAGMA journal_mode = DELETE", "journal_mode is delete, not wal"),
    ],
)
def test_app_refuses_unsafe_connection_settings(tmp_path, monkeypatch, pragma, message):
    create_app(_config(tmp_path), init_db=True)
    store.close_thread_connections()
    monkeypatch.setattr(store.connection, "connect", _connect_then(pragma))
    try:
        with pytest.raises(store.StorageError, match=message):
            create_app(_config(tmp_path))
    finally:
        store.close_thread_connections()


def test_app_refuses_old_sqlite(tmp_path, monkeypatch):
    create_app(_config(tmp_path), init_db=True)
    store.close_thread_connections()
    monkeypatch.setattr(store.connection, "MIN_SQLITE", (99, 0, 0))
    try:
        with pytest.raises(store.StorageError, match="older than"):
            create_app(_config(tmp_path))
    finally:
        store.close_thread_connections()


def test_app_starts_with_safe_settings(app, db):
    found = store.check_settings(db)
    assert found["journal_mode"] == "wal"
    assert found["synchronous"] == 2
    assert found["busy_timeout"] >= 5000


def test_synchronous_is_per_connection_and_full_on_every_thread(app, db):
    other = store.connect(app.config["DATABASE"])
    other.execute("PRAGMA synchronous = OFF")
    assert other.execute("PRAGMA synchronous").fetchone()[0] == 0
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2
    other.close()
    seen = []
    together = threading.Barrier(3)

    def worker():
        conn = store.thread_connection(app.config["DATABASE"])
        seen.append((id(conn), conn.execute("PRAGMA synchronous").fetchone()[0]))
        together.wait(timeout=10)  # all alive at once, so ids cannot be reused
        store.close_thread_connections()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [s for _i, s in seen] == [2, 2, 2]
    assert len({i for i, _s in seen}) == 3


def test_one_connection_per_thread_reused_across_requests(app):
    with app.test_request_context("/"):
        first = get_db()
    with app.test_request_context("/"):
        assert get_db() is first
    assert store.thread_connection(app.config["DATABASE"]) is first


def test_serve_runs_gunicorn_gthread_on_localhost_without_control_socket(runner, monkeypatch):
    calls = []
    monkeypatch.setattr("os.execv", lambda path, args: calls.append(args))
    result = runner.invoke(args=["serve", "--port", "5123", "--workers", "3", "--threads", "7"])
    assert result.exit_code == 0, result.output
    args = calls[0]
    assert args[args.index("--bind") + 1] == "127.0.0.1:5123"
    assert args[args.index("--workers") + 1] == "3"
    assert args[args.index("--threads") + 1] == "7"
    assert "--no-control-socket" in args
    assert args[args.index("--config") + 1] == "python:surveyapp.gunicorn_conf"


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SURVEYAPP_PORT", "6001")
    monkeypatch.setenv("SURVEYAPP_WORKERS", "5")
    monkeypatch.setenv("SURVEYAPP_THREADS", "9")
    import surveyapp.gunicorn_conf as conf

    conf = importlib.reload(conf)
    assert conf.bind == "127.0.0.1:6001"
    assert (conf.workers, conf.threads, conf.worker_class) == (5, 9, "gthread")
    assert conf.control_socket_disable is True
