"""The layers hold: import-linter's contracts in pyproject.toml pass, and they would fail
if an arrow were reversed; only surveyapp/store/ writes SQL."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b[^\n]*\b(FROM|INTO|SET|WHERE)\b|\.execute\(")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layer_contracts_hold():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "surveyapp", tmp_path / "surveyapp")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_a_reversed_arrow_breaks_the_contract(tmp_path):
    root = _copy(tmp_path)
    target = root / "surveyapp" / "store" / "counts.py"
    target.write_text(target.read_text() + "\nfrom surveyapp.figures import tallies  # noqa\n")
    result = _lint(root)
    assert result.returncode == 1
    assert "surveyapp.store is not allowed to import surveyapp.figures" in result.stdout


def test_flask_in_a_pure_layer_breaks_the_contract(tmp_path):
    root = _copy(tmp_path)
    target = root / "surveyapp" / "questionnaire" / "model.py"
    target.write_text(target.read_text() + "\nimport flask  # noqa\n")
    result = _lint(root)
    assert result.returncode == 1
    assert "Only web and cli know Flask BROKEN" in result.stdout


def sql_outside_store(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        if "store" in path.relative_to(package).parts[:1]:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if SQL.search(line):
                found.append(f"{path.relative_to(package.parent)}:{number}: {line.strip()}")
    return found


def test_only_the_store_speaks_sql():
    assert sql_outside_store(ROOT / "surveyapp") == []


def test_the_sql_check_finds_sql(tmp_path):
    package = tmp_path / "surveyapp"
    (package / "figures").mkdir(parents=True)
    (package / "figures" / "x.py").write_text('db.execute("SELECT n FROM t WHERE a = ?")\n')
    (package / "store").mkdir()
    (package / "store" / "y.py").write_text('db.execute("SELECT n FROM t")\n')
    assert sql_outside_store(package) == [
        'surveyapp/figures/x.py:1: db.execute("SELECT n FROM t WHERE a = ?")'
    ]


def test_a_process_on_sqlite_never_loads_postgresql_s_driver(tmp_path):
    """psycopg is loaded on first PostgreSQL use only (store/pg/__init__.py): every worker
    and command on SQLite starts without it."""
    script = (
        "import sys\n"
        "from surveyapp import cli, create_app\n"
        f"app = create_app({{'DATABASE': {str(tmp_path / 'x.db')!r}, 'SECRET_KEY': 'k'}},"
        " init_db=True)\n"
        "app.test_client().get('/')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'psycopg_pool')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_modules_and_functions_stay_small():
    """No module of surveyapp/ over 300 lines, no function over 40 (ruff's C901 keeps
    each function's complexity at 10 or less, pyproject.toml)."""
    long_modules, long_functions = [], []
    for path in sorted((ROOT / "surveyapp").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if len(text.splitlines()) > 300:
            long_modules.append(name)
        functions = (
            node
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        )
        long_functions += [
            f"{name}:{f.name}" for f in functions if f.end_lineno - f.lineno + 1 > 40
        ]
    assert long_modules == [] and long_functions == []
