# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the tests of scripts/migsim_analysis: small runs of configs/demo.yaml made
with the migsim binary ($MIGSIM_BINARY, default build/migsim) in a temporary folder.

Run with Debian's Python:  MIGSIM_BINARY=build/migsim /usr/bin/python3 -m pytest -q tests/python
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEMO = REPO / "configs" / "demo.yaml"
# configs/demo.yaml's counterfactual used by the difference tests: Honduran departures
# halved (250.5 -> 125.25 a day).
COUNTERFACTUAL = ("sources[1].rate=125.25",)


def pytest_configure(config):
    # Debian 12's netCDF4 extension was built against another NumPy minor version; NumPy
    # itself silences this harmless Cython warning, pytest's own filters show it again.
    config.addinivalue_line("filterwarnings",
                            "ignore:numpy.ndarray size changed:RuntimeWarning")


def migsim_binary():
    path = Path(os.environ.get("MIGSIM_BINARY", REPO / "build" / "migsim"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"no migsim binary at {path}: build it (cmake --build build) or set "
                    "MIGSIM_BINARY", pytrace=False)
    return path


def run_demo(out, seed, sets=()):
    """Run configs/demo.yaml with one thread; returns the output path."""
    cmd = [str(migsim_binary()), "run", str(DEMO), "-o", str(out), "--seed", str(seed),
           "--threads", "1", "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr}",
                    pytrace=False)
    return Path(out)


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="session")
def demo_h5(runs_dir):
    """configs/demo.yaml with its defaults (90 days from 2023-01-01), seed 7."""
    return run_demo(runs_dir / "demo_seed7.h5", 7)


@pytest.fixture(scope="session")
def ds(demo_h5):
    from migsim_analysis import open_run
    return open_run(demo_h5)


@pytest.fixture(scope="session")
def scenario_runs(runs_dir):
    return [run_demo(runs_dir / f"scenario_seed{s}.h5", s) for s in (1, 2)]


@pytest.fixture(scope="session")
def counterfactual_runs(runs_dir):
    return [run_demo(runs_dir / f"counterfactual_seed{s}.h5", s, COUNTERFACTUAL)
            for s in (1, 2)]
