"""A wheel install (not editable) serves its pages: templates and static files travel in it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("surveyapp", "templates", "static", "pyproject.toml", "setup.py", "MANIFEST.in",
           "README.md")  # fmt: skip


def _run(*args, **options) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120,
                          **options)  # fmt: skip


def _wheel(tmp: Path) -> Path:
    """Build the wheel from a copy of the sources, leaving the checkout untouched."""
    source = tmp / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(ROOT / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp / "dist"), str(source))  # fmt: skip
    return next((tmp / "dist").glob("surveyapp-*.whl"))


def _venv(tmp: Path, wheel: Path) -> Path:
    """A fresh virtual environment with the wheel installed; its dependencies are this
    environment's, reached through a .pth file (so nothing is downloaded)."""
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    purelib = _run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    (Path(purelib.stdout.strip()) / "dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--force-reinstall", "-q",
         str(wheel))  # fmt: skip
    return venv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, log: Path) -> None:
    for _ in range(300):
        assert server.poll() is None, log.read_text()
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not answer: {log.read_text()}")


def test_a_wheel_install_serves_pages_with_their_css(tmp_path):
    wheel = _wheel(tmp_path)
    venv = _venv(tmp_path, wheel)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SURVEYAPP_", "PYTHON"))}
    port = _free_port()
    env.update(SURVEYAPP_PORT=str(port), SURVEYAPP_WORKERS="1", SURVEYAPP_THREADS="2",
               SURVEYAPP_ADMIN_PASSWORD="a long enough password")  # fmt: skip
    where = "import surveyapp; print(surveyapp.__file__)"
    installed = _run(str(venv / "bin" / "python"), "-c", where, cwd=tmp_path, env=env)
    assert installed.stdout.startswith(str(venv)), installed.stdout
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen([str(venv / "bin" / "surveyapp"), "serve"], cwd=tmp_path,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/", server, log)
        page = requests.get(base + "/s/cmo", timeout=10)
        assert page.status_code == 200, page.text[:500]
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text).group(1)
        css = requests.get(base + stylesheet, timeout=10)
        assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
        assert css.text == (ROOT / "static" / "style.css").read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert (venv / "var" / "surveyapp-instance" / "surveyapp.db").is_file(), (
        "an installed app keeps its instance folder under the environment, not site-packages"
    )
