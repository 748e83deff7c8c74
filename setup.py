"""Packaging hook: a wheel (or `pip install .`) carries the top-level templates/ and static/
folders inside the package, as surveyapp/templates and surveyapp/static, where create_app
looks first; an editable install keeps serving them from the checkout."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED_FOLDERS = ("templates", "static")


class BuildPyWithPages(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder in SHIPPED_FOLDERS:
            target = Path(self.build_lib) / "surveyapp" / folder
            shutil.copytree(HERE / folder, target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithPages})
