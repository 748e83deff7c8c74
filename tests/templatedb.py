"""Template databases for make_app: what `init-db` makes of a set of survey folders (all
migrations applied, every definition file published) is built once per test process and
copied for each test, instead of migrating a new database and parsing every definition file
again for every test. Each test still gets its own database file.

Only folders that outlive a test (the shipped surveys, tests/questionnaires, ...) get a
template; folders a test writes under its tmp_path, a database that already exists, a
build that logged a problem and a build inside a command line all take the real path
(create_app(init_db=True)), as do the tests of init-db, serve and migrations themselves."""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from surveyapp import cli, create_app, store
from surveyapp.questionnaire import loader
from tests import pgcluster

# (folders and their files' contents, audit key) -> the template, or None when that
# build logged a problem (its warning must be logged again for each test).
_templates: dict[tuple, Path | None] = {}


def copy_template(settings: dict[str, Any], factory: Any) -> bool:
    """Whether a copy of the template for `settings` now is settings["DATABASE"]."""
    database = Path(settings["DATABASE"])
    folders = [Path(f).resolve() for f in settings["SURVEY_FOLDERS"]]
    base = factory.getbasetemp().resolve()
    if database.exists() or cli.loading_for_a_command():
        return False
    if any(folder.is_relative_to(base) for folder in folders):
        return False
    key = (_digest(folders), settings["AUDIT_KEY"])
    if key not in _templates:
        _templates[key] = _build(settings, factory.mktemp("template-db") / "template.db")
    template = _templates[key]
    if template is None:
        return False
    database.parent.mkdir(parents=True, exist_ok=True)
    # as store.connect(create=True) makes it: readable by its owner only
    os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
    shutil.copyfile(template, database)
    return True


def postgres_database(settings: dict[str, Any], factory: Any) -> tuple[str, bool]:
    """(URL of a new PostgreSQL database for a test, whether it is a template's copy),
    under the same rules as copy_template."""
    folders = [Path(f).resolve() for f in settings["SURVEY_FOLDERS"]]
    base = factory.getbasetemp().resolve()
    if cli.loading_for_a_command() or any(f.is_relative_to(base) for f in folders):
        return pgcluster.new_database(), False
    key = ("postgresql", _digest(folders), settings["AUDIT_KEY"])
    if key not in _templates:
        url = pgcluster.new_database()
        _templates[key] = url if _build(settings, url) else None
        pgcluster.settle_template(url)
    template = _templates[key]
    if template is None:
        return pgcluster.new_database(), False
    return pgcluster.new_database(str(template)), True


def _digest(folders: list[Path]) -> tuple[str, str]:
    """The folders and a digest of every file in them: an edited file is a new template."""
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(str(folder).encode() + b"\0")
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return tuple(map(str, folders)), digest.hexdigest()


def _build(settings: dict[str, Any], template: Path | str) -> Path | str | None:
    """init-db's database for these folders at `template`; None if init-db logged anything."""
    logged: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = logged.append
    logger = logging.getLogger("surveyapp")
    logger.addHandler(handler)
    try:
        create_app({**settings, "DATABASE": str(template)}, init_db=True)
    finally:
        logger.removeHandler(handler)
    # only the template's own connection: the test's are still in use
    store.thread_connection(str(template)).close()
    # its last connection closed, SQLite checkpointed the WAL into the file and removed it
    if logged or (isinstance(template, Path) and Path(f"{template}-wal").exists()):
        return None
    return template


def remember_parsed_yaml() -> None:
    """Parse each definition text's YAML once per test process. Every test's app reads its
    catalogue from its database, so the same few texts are parsed for thousands of tests;
    each caller now gets a deep copy of the first parse (parse_definition still checks
    it every time). Text that is not valid YAML is parsed, and refused, every time."""
    parsed: dict[tuple[str, str], dict] = {}
    real = loader._mapping

    def mapping(text: str, filename: str) -> dict:
        if (text, filename) not in parsed:
            parsed[text, filename] = real(text, filename)
        return copy.deepcopy(parsed[text, filename])

    loader._mapping = mapping
