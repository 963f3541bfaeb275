# SPDX-License-Identifier: GPL-3.0-or-later
"""Licence, citation and the version in one place (issue 18, item 1): CMakeLists.txt's
project(migsim VERSION ...) is what `migsim --version`, every output's provenance, the Python
kit's __version__, CITATION.cff and the newest released CHANGELOG entry say."""
import json
import re
import subprocess
import sys

import h5py
import yaml

from conftest import REPO, migsim_binary, run_demo


def cmake_version():
    text = (REPO / "CMakeLists.txt").read_text()
    return re.search(r"project\(migsim VERSION ([0-9.]+)", text).group(1)


def test_binary_and_kit_show_the_cmake_version():
    import migsim_analysis
    v = cmake_version()
    out = subprocess.run([str(migsim_binary()), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[0].startswith(f"migsim {v} ")
    assert migsim_analysis.__version__ == v


def test_output_provenance_holds_the_version(tmp_path):
    with h5py.File(run_demo(tmp_path / "r.h5", 3, ("days=3",)), "r") as f:
        v = f["provenance"].attrs["migsim_version"]
        assert (v.decode() if isinstance(v, bytes) else v) == cmake_version()


def test_citation_cff_has_the_required_keys_and_version():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    for key in ("cff-version", "message", "title", "authors", "version", "license", "date-released"):
        assert key in cff, key
    assert cff["cff-version"] == "1.2.0"
    assert cff["license"] == "GPL-3.0-or-later"
    assert cff["version"] == cmake_version()
    assert all("name" in a or "family-names" in a for a in cff["authors"])


def test_changelog_newest_release_is_the_version():
    releases = re.findall(r"^## \[([0-9.]+)\] - (\d{4}-\d\d-\d\d)$", (REPO / "CHANGELOG.md").read_text(), re.M)
    assert releases and releases[0][0] == cmake_version()


def test_licence_is_the_gpl3():
    text = (REPO / "LICENSE").read_text()
    assert text.lstrip().startswith("GNU GENERAL PUBLIC LICENSE")
    assert "Version 3, 29 June 2007" in text


# Files whose owners add the header after this test lands (configs/corridor and
# corridor_compare.py are the corridor model's work in progress, the R kit is being extended):
# every other source file must carry it. Empty this list as they do.
SPDX_PENDING = set()   # files waiting for their owners to add the line
SPDX_HASH = "# SPDX-License-Identifier: GPL-3.0-or-later"
SPDX_C = "/* SPDX-License-Identifier: GPL-3.0-or-later */"


def source_files():
    """The project's files: git's list (tracked and new, not ignored) in a checkout, else
    every file outside build*/ and hidden folders."""
    done = subprocess.run(["git", "-C", str(REPO), "ls-files", "--cached", "--others", "--exclude-standard"],
                          capture_output=True, text=True)
    if done.returncode == 0:
        return sorted(set(p for p in done.stdout.splitlines() if (REPO / p).is_file()))
    return sorted(str(p.relative_to(REPO)) for p in REPO.rglob("*")
                  if p.is_file() and not any(part.startswith((".", "build")) or part == "__pycache__"
                                             for part in p.relative_to(REPO).parts))


def spdx_form(path):
    """The header a file of this kind must open with (after a #! or #%Module line), or None."""
    name = path.rsplit("/", 1)[-1]
    if re.search(r"\.(c|h|h\.in)$", name):
        return SPDX_C
    if re.search(r"\.(py|sh|R|sbatch|cmake|modulefile|toml)$", name) or name == "CMakeLists.txt":
        return SPDX_HASH
    if name.endswith(".ipynb"):
        return SPDX_HASH   # the first line of the first code cell
    if "." not in name and (REPO / path).read_bytes()[:2] == b"#!":
        return SPDX_HASH   # scripts/counterfactual, scripts/bench ...
    return None


def spdx_missing(path, form):
    if path.endswith(".ipynb"):
        cells = json.loads((REPO / path).read_text())["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        return not code or "".join(code[0]["source"]).splitlines()[:1] != [form]
    lines = (REPO / path).read_text(errors="replace").splitlines()
    head = 1 if lines and lines[0].startswith(("#!", "#%Module")) else 0
    return len(lines) <= head or lines[head] != form


def test_source_files_carry_the_spdx_header():
    checked = {p: f for p in source_files() if (f := spdx_form(p))}
    kinds = {p.rsplit(".", 1)[-1] for p in checked}
    assert {"c", "h", "py", "sh", "R", "sbatch", "cmake", "txt", "toml", "ipynb"} <= kinds, kinds
    assert "scripts/counterfactual" in checked and "scripts/fuzz" in checked
    missing = sorted(p for p, f in checked.items() if spdx_missing(p, f) and p not in SPDX_PENDING)
    assert not missing, ("put '" + SPDX_HASH + "' (C: '" + SPDX_C + "') on the first line, after a #! "
                         "line if there is one, of: " + ", ".join(missing))


def test_spdx_header_check_finds_a_missing_or_misplaced_header(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    (tmp_path / "ok.sh").write_text("#!/bin/sh\n" + SPDX_HASH + "\necho\n")
    (tmp_path / "late.py").write_text('"""doc"""\n' + SPDX_HASH + "\n")
    (tmp_path / "none.R").write_text("x <- 1\n")
    (tmp_path / "ok.c").write_text(SPDX_C + "\n")
    (tmp_path / "tool").write_text("#!/usr/bin/python3\nprint(1)\n")
    (tmp_path / "pyproject.toml").write_text("[project]\n" + SPDX_HASH + "\n")
    cell = lambda kind, src: {"cell_type": kind, "source": src}
    (tmp_path / "ok.ipynb").write_text(json.dumps({"cells": [cell("markdown", ["# title"]),
                                                             cell("code", [SPDX_HASH + "\n", "x = 1"])]}))
    (tmp_path / "bad.ipynb").write_text(json.dumps({"cells": [cell("markdown", [SPDX_HASH]),
                                                              cell("code", ["x = 1"])]}))
    names = ("ok.sh", "late.py", "none.R", "ok.c", "tool", "pyproject.toml", "ok.ipynb", "bad.ipynb")
    got = {p: spdx_missing(p, spdx_form(p)) for p in names}
    assert got == {"ok.sh": False, "late.py": True, "none.R": True, "ok.c": False, "tool": True,
                   "pyproject.toml": True, "ok.ipynb": False, "bad.ipynb": True}
