from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from jinja2.bccache import Bucket, BytecodeCache

from surveyapp import SHIPPED_SURVEYS, create_app, store
from tests import pgcluster
from tests.templatedb import copy_template, postgres_database, remember_parsed_yaml

HERE = Path(__file__).parent
TEST_QUESTIONNAIRES = HERE / "questionnaires"

# Hypothesis profiles: "quick" in the default run, "thorough" (2,000 examples for each
# hostile test) with HYPOTHESIS_PROFILE=thorough or pytest --hypothesis-profile=thorough.
# Both are derandomized, so a run repeats exactly; a test's own count follows the profile
# through examples().
THOROUGH = 2000
QUICK = 100
_COMMON = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}
settings.register_profile("quick", max_examples=QUICK, **_COMMON)
settings.register_profile("thorough", max_examples=THOROUGH, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
remember_parsed_yaml()


def examples(thorough: int = THOROUGH) -> settings:
    """Settings for a test that runs `thorough` examples in the thorough profile and the
    same share of the loaded profile's count otherwise, never fewer than 20."""
    scaled = thorough * settings.default.max_examples // THOROUGH
    return settings(max_examples=max(scaled, min(thorough, 20)))


def wait_for(condition: Callable[[], object], seconds: float = 30.0) -> bool:
    """Poll `condition` every 50 ms until it holds or `seconds` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per test process, not once per test's app. Jinja keys each
    entry by template name and a checksum of its source, as its file cache does; every app
    create_app makes has the same Jinja settings, so the compiled code is the same."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_engines` (store, respondent, admin, exchange, reliability) run
    on SQLite and, where wanted (tests.pgcluster), on PostgreSQL."""
    wanted = "engine" in metafunc.fixturenames and pgcluster.wanted()
    if wanted and metafunc.definition.get_closest_marker("postgresql_only"):
        metafunc.parametrize("engine", ["postgresql"], indirect=True)
    elif wanted and metafunc.definition.get_closest_marker("both_engines"):
        metafunc.parametrize("engine", ["sqlite", "postgresql"], indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of the PostgreSQL engine itself (`postgresql_only`) are left out, not skipped,
    where PostgreSQL is not wanted (tests.pgcluster: never in CI)."""
    if pgcluster.wanted():
        return
    dropped = [item for item in items if item.get_closest_marker("postgresql_only")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql_only")]


@pytest.fixture
def pg_url():
    """The URL of a new, empty PostgreSQL database (tests marked postgresql_only)."""
    url = pgcluster.new_database()
    yield url
    store.close_thread_connections()
    pgcluster.drop(url)


@pytest.fixture
def engine(request) -> str:
    """The storage engine of this test's apps: SQLite unless parametrised (or unless
    SURVEYAPP_TEST_ENGINE names another: a way to run any test file on PostgreSQL)."""
    return getattr(request, "param", os.environ.get("SURVEYAPP_TEST_ENGINE", "sqlite"))


@pytest.fixture
def make_app(tmp_path, tmp_path_factory, engine):
    """Build an app on a fresh database; extra config and survey folders may be given."""
    made: list[str] = []

    def build(*folders: Path, **config):
        settings = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "AUDIT_KEY": "test-audit-key",
            "DATABASE": str(tmp_path / "test.db"),
            "SURVEY_FOLDERS": [str(f) for f in folders] or [str(SHIPPED_SURVEYS)],
        }
        settings.update(config)
        if engine == "postgresql" and "DATABASE" not in config:
            settings["DATABASE"], copied = postgres_database(settings, tmp_path_factory)
            made.append(settings["DATABASE"])
        else:
            copied = copy_template(settings, tmp_path_factory)
        app = create_app(settings, init_db=not copied)
        app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
        return app

    yield build
    store.close_thread_connections()
    for url in made:
        pgcluster.drop(url)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    return store.thread_connection(app.config["DATABASE"])


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A production-style setup: an instance folder and the environment, no database yet."""
    folder = tmp_path / "instance"
    for name in list(os.environ):
        if name.startswith("SURVEYAPP_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SURVEYAPP_INSTANCE", str(folder))
    monkeypatch.setenv("SURVEYAPP_SECRET_KEY", "boot-secret")
    yield folder
    store.close_thread_connections()


@pytest.fixture
def write(app):
    """Headers with an admin's read-write API token (for apps made by tests.apikit.api_app)."""
    from tests.apikit import bearer, token

    return bearer(token(app, "ada", "write"))
