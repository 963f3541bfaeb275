# SPDX-License-Identifier: GPL-3.0-or-later
"""The kit's version: project(migsim VERSION ...) in CMakeLists.txt, the one place it is kept.

From the source tree it is read from CMakeLists.txt; an installed kit has it written into
_installed_version.py by cmake --install.
"""
import os
import re


def _read():
    try:
        from ._installed_version import VERSION
        return VERSION
    except ImportError:
        pass
    cmake = os.path.join(os.path.dirname(__file__), "..", "..", "CMakeLists.txt")
    try:
        with open(cmake, encoding="utf-8") as f:
            m = re.search(r"project\(migsim VERSION ([0-9][0-9.]*)", f.read())
        return m.group(1) if m else "unknown"
    except OSError:
        return "unknown"


__version__ = _read()
