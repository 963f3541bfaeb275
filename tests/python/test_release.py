"""Licence, citation and the version in one place (issue 18, item 1): CMakeLists.txt's
project(migsim VERSION ...) is what `migsim --version`, every output's provenance, the Python
kit's __version__, CITATION.cff and the newest released CHANGELOG entry say."""
import re
import subprocess

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
