"""Settings: defaults < instance/config.py < SURVEYAPP_* variables < test_config, the
variables' kinds, and the server's settings shared by `serve` and gunicorn."""

from __future__ import annotations

import importlib

import pytest

from surveyapp import config, create_app


def test_environment_values_are_typed_like_their_defaults(instance, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_SUBMISSIONS_PER_ADDRESS", "7")
    monkeypatch.setenv("SURVEYAPP_SUBMISSION_WINDOW_SECONDS", "30")
    monkeypatch.setenv("SURVEYAPP_PROXY_HOPS", "2")
    monkeypatch.setenv("SURVEYAPP_SECRET_KEY", "12345")
    monkeypatch.setenv("SURVEYAPP_PUBLIC_URL", "https://surveys.example")
    monkeypatch.setenv("SURVEYAPP_DATABASE", str(instance / "elsewhere.db"))
    monkeypatch.setenv("SURVEYAPP_HTTPS", "1")
    app = create_app(init_db=True)
    assert app.config["SUBMISSIONS_PER_ADDRESS"] == 7
    assert app.config["SUBMISSION_WINDOW_SECONDS"] == 30
    assert app.config["PROXY_HOPS"] == 2
    assert app.config["SECRET_KEY"] == "12345", "a key of digits stays text"
    assert app.config["PUBLIC_URL"] == "https://surveys.example"
    assert app.config["DATABASE"] == str(instance / "elsewhere.db")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_variables_that_are_not_app_settings_stay_out_of_the_config(instance, monkeypatch):
    for name, value in {"ADMIN_USER": "boss", "ADMIN_PASSWORD": "secret words here",
                        "HOST": "127.0.0.2", "PORT": "6001", "WORKERS": "3", "THREADS": "4",
                        "ACCESS_LOG": "", "HTTPS": "0"}.items():  # fmt: skip
        monkeypatch.setenv(f"SURVEYAPP_{name}", value)
    app = create_app(init_db=True)
    assert not {"ADMIN_USER", "ADMIN_PASSWORD", "HOST", "PORT", "WORKERS", "THREADS",
                "ACCESS_LOG", "HTTPS", "INSTANCE"} & set(app.config)  # fmt: skip
    assert "secret words here" not in repr(dict(app.config))
    assert app.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SUBMISSIONS_PER_ADDRESS", "many", "SURVEYAPP_SUBMISSIONS_PER_ADDRESS must be a whole"),
        ("PROXY_HOPS", "1.5", "SURVEYAPP_PROXY_HOPS must be a whole number, not '1.5'"),
        ("SESSION_COOKIE_SECURE", "1", "must be true or false"),
    ],
)
def test_a_wrongly_typed_variable_is_refused_at_start(instance, monkeypatch, name, value, message):
    monkeypatch.setenv(f"SURVEYAPP_{name}", value)
    with pytest.raises(config.ConfigError, match=message):
        create_app()


def test_an_empty_variable_changes_nothing(instance, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_DATABASE", "")
    monkeypatch.setenv("SURVEYAPP_PROXY_HOPS", "")
    app = create_app(init_db=True)
    assert app.config["DATABASE"] == str(instance / "surveyapp.db")
    assert app.config["PROXY_HOPS"] == 0


def test_serve_and_gunicorn_read_the_same_server_settings(runner, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_HOST", "127.0.0.3")
    monkeypatch.setenv("SURVEYAPP_PORT", "6002")
    monkeypatch.setenv("SURVEYAPP_THREADS", "5")
    monkeypatch.setenv("SURVEYAPP_ACCESS_LOG", "")
    import surveyapp.gunicorn_conf as conf

    conf = importlib.reload(conf)
    assert (conf.bind, conf.threads, conf.accesslog) == ("127.0.0.3:6002", 5, None)
    calls = []
    monkeypatch.setattr("os.execv", lambda path, args: calls.append(args))
    assert runner.invoke(args=["serve"]).exit_code == 0
    assert calls[0][calls[0].index("--bind") + 1] == "127.0.0.3:6002"
    assert calls[0][calls[0].index("--threads") + 1] == "5"


def test_a_bad_server_variable_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SURVEYAPP_WORKERS", "lots")
    with pytest.raises(config.ConfigError, match="SURVEYAPP_WORKERS must be a whole number"):
        config.server_settings()
    monkeypatch.setenv("SURVEYAPP_WORKERS", "0")
    with pytest.raises(config.ConfigError, match="at least 1"):
        config.server_settings()


def test_a_list_setting_takes_a_json_list(instance, monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEYAPP_SURVEY_FOLDERS", "surveys")
    with pytest.raises(config.ConfigError, match="SURVEY_FOLDERS must be a JSON list"):
        create_app()


def test_the_database_url_chooses_the_engine():
    from surveyapp.config import database

    assert database("", "/data/s.db") == "/data/s.db"
    assert database("sqlite:////srv/s.db", "/data/s.db") == "/srv/s.db"
    assert database("postgresql://u:p@db/s", "/data/s.db") == "postgresql://u:p@db/s"
    with pytest.raises(ValueError, match="mysql:// is neither postgresql nor sqlite"):
        database("mysql://db/s", "/data/s.db")
