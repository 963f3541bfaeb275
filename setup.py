# SPDX-License-Identifier: GPL-3.0-or-later
"""Builds the migsim Python package (see pyproject.toml) with the version of
CMakeLists.txt, written into the built migsim_analysis/_installed_version.py."""
import re
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def cmake_version():
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    m = re.search(r"project\(migsim VERSION ([0-9][0-9.]*)", text)
    if not m:
        raise SystemExit("setup.py: no project(migsim VERSION ...) in CMakeLists.txt")
    return m.group(1)


class BuildPyWithVersion(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "migsim_analysis" / "_installed_version.py"
        target.write_text(f"VERSION = {self.distribution.get_version()!r}\n", encoding="utf-8")


# build-python/: not build/, the CMake build folder
setup(version=cmake_version(), cmdclass={"build_py": BuildPyWithVersion},
      options={"build": {"build_base": "build-python"},
               "egg_info": {"egg_base": "build-python"}})
