# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python API (issue 18, item 4): `import migsim` runs, checks, sweeps and summarizes
through the migsim program ($MIGSIM_BINARY) and raises ConfigError carrying migsim's file,
line, column and field; `pip install` from the source tree works offline."""
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import DEMO, REPO, migsim_binary

sys.path.insert(0, str(REPO / "python"))
import migsim  # noqa: E402
from migsim.errors import parse_diagnostic  # noqa: E402


def cmake_version():
    text = (REPO / "CMakeLists.txt").read_text()
    return re.search(r"project\(migsim VERSION ([0-9.]+)", text).group(1)


def misspelt_demo(tmp_path):
    """configs/demo.yaml with "days:" written "dyas:" (its CSVs by absolute path); returns
    the path and the line of the misspelt key."""
    text = DEMO.read_text().replace("demo/", f"{DEMO.parent}/demo/")
    lines = text.splitlines()
    line = next(i for i, s in enumerate(lines, 1) if s.startswith("days:"))
    path = tmp_path / "misspelt.yaml"
    path.write_text(text.replace("\ndays:", "\ndyas:"))
    return path, line


def test_misspelt_key_raises_config_error_with_its_place(tmp_path):
    path, line = misspelt_demo(tmp_path)
    with pytest.raises(migsim.ConfigError) as caught:
        migsim.check(path)
    e = caught.value
    assert (e.file, e.line, e.column, e.field) == (str(path), line, 1, "dyas")
    assert e.message == 'unknown key (did you mean "days"?)'
    assert e.returncode == 78
    assert [p.field for p in e.problems] == ["dyas", "days"]
    assert e.problems[1].message == "missing required key"
    assert str(e).splitlines()[0] == f'{path}:{line}:1: dyas: unknown key (did you mean "days"?)'


def test_bad_set_value_raises_config_error_naming_the_override():
    with pytest.raises(migsim.ConfigError) as caught:
        migsim.check(DEMO, set={"speed_km_per_day.bus": -5})
    e = caught.value
    assert (e.file, e.line, e.column) == (None, None, None)
    assert e.override == "speed_km_per_day.bus=-5"
    assert e.field == "speed_km_per_day.bus"
    assert e.message == "expected a speed in km/day in (0, 100000], got -5"


def test_check_of_a_good_scenario_returns_the_report():
    report = migsim.check(DEMO, set=["days=30"])
    assert report.startswith(f"{DEMO}: OK (model basic, 15 places, 14 links, 2 nationalities, "
                             "2 sources, 30 days from 2023-01-01)")


def test_run_returns_the_dataset_of_the_command_line_run(ds):
    got = migsim.run(DEMO, seed=7, threads=1)     # ds: the same run made by the fixture
    for name in ("occupancy", "flow", "arrivals", "spawned", "alive"):
        assert got[name].attrs["units"] == ds[name].attrs["units"]
        np.testing.assert_array_equal(got[name].values, ds[name].values)
    assert list(got.place.values) == list(ds.place.values)
    assert got.attrs["migsim_seed"] == "7"
    assert got.attrs["migsim_threads"] == "1"
    assert got.attrs["migsim_version"] == cmake_version()
    assert got.attrs["migsim_model"] == "basic"
    assert "days: 90" in got.attrs["migsim_scenario_resolved"]
    assert "source_file" not in got.attrs  # the temporary file is gone


def test_run_with_set_and_output_keeps_the_file(tmp_path):
    out = tmp_path / "r.h5"
    got = migsim.run(DEMO, set={"days": 12, "nationalities": ["VENEZUELA", "HONDURAS"]},
                     seed=3, threads=1, output=out)
    assert out.is_file() and got.sizes["time"] == 12
    assert got.attrs["source_file"] == str(out.resolve())
    assert "--set days=12" in got.attrs["migsim_command_line"]


def test_failed_run_raises_and_leaves_no_file(tmp_path):
    out = tmp_path / "r.h5"
    with pytest.raises(migsim.ConfigError) as caught:
        migsim.run(DEMO, set="days=0", output=out)
    assert caught.value.override == "days=0" and caught.value.field == "days"
    assert list(tmp_path.iterdir()) == []


def test_missing_binary_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGSIM_BINARY", str(tmp_path / "nope"))
    with pytest.raises(FileNotFoundError, match=r"\$MIGSIM_BINARY: .*nope"):
        migsim.check(DEMO)


@pytest.mark.parametrize("line, expected", [
    ("migsim: s.yaml:2:1: dyas: unknown key", ("s.yaml", 2, 1, "dyas", "unknown key", None)),
    ("migsim: links.csv:3:2: to: unknown place \"Z\"",
     ("links.csv", 3, 2, "to", "unknown place \"Z\"", None)),
    ("migsim: sweep.yaml:7:50: parameters[0].values[1]: movement.distance_power: expected a "
     "number, got \"12x\"", ("sweep.yaml", 7, 50, "parameters[0].values[1]",
                             "movement.distance_power: expected a number, got \"12x\"", None)),
    ("migsim: --set days=x: days: expected a whole number, got \"x\"",
     (None, None, None, "days", "expected a whole number, got \"x\"", "days=x")),
    ("migsim: out.h5: HDF5: file write failed", ("out.h5", None, None, "HDF5",
                                                  "file write failed", None)),
    ("migsim: cannot allocate memory", (None, None, None, None, "cannot allocate memory", None)),
])
def test_diagnostic_lines_parse(line, expected):
    p = parse_diagnostic(line)
    assert (p.file, p.line, p.column, p.field, p.message, p.override) == expected


def test_count_and_log_lines_are_not_problems():
    assert parse_diagnostic("migsim: 3 problems") is None
    assert parse_diagnostic("2026-01-01T00:00:00 migsim: day 3") is None


def test_sweep_run_manifest_and_summarize(tmp_path):
    """Also item 6: a run of a manifest row records the row's point and parameters in its
    provenance, and the summary of one point's runs has them as scalar coordinates."""
    spec = tmp_path / "sweep.yaml"
    spec.write_text(f"scenario: {DEMO}\noutput_dir: runs\nreplicates: 2\nseed: 5\n"
                    "parameters:\n  - {key: \"sources[1].rate\", values: [100, 125.25]}\n"
                    "  - {key: start_date, values: [2023-02-01]}\n")
    manifest = migsim.sweep(spec, tmp_path / "manifest.csv")
    assert list(manifest["sources[1].rate"]) == [100, 100, 125.25, 125.25]
    assert list(manifest["seed"]) == [5, 6, 5, 6]
    outputs = migsim.run_manifest(tmp_path / "manifest.csv", threads=1)
    assert outputs == [tmp_path / f"runs/p00{p}_r0{r}.h5" for p in (0, 1) for r in (0, 1)]
    runs = [migsim.open_run(o) for o in outputs[2:]]
    params = "sources[1].rate=125.25\nstart_date=2023-02-01"
    prov = migsim.provenance(outputs[3])
    assert (prov["sweep_point"], prov["sweep_parameters"]) == ("1", params)
    summary = migsim.summarize(outputs[2:], tmp_path / "p001.h5", quantiles=(0.5,), threads=1)
    mean = (runs[0].occupancy.values + runs[1].occupancy.values) / 2
    np.testing.assert_array_equal(summary.occupancy_mean.values, mean)
    np.testing.assert_array_equal(summary.occupancy_q50.values, mean)
    assert str(summary.time.values[0])[:10] == "2023-02-01"
    assert summary["sources[1].rate"].item() == 125.25
    assert summary["sources[1].rate"].dtype == np.float64
    assert summary["start_date"].item() == "2023-02-01"
    assert {"sources[1].rate", "start_date"} <= set(summary.occupancy_sd.coords)
    assert migsim.provenance(tmp_path / "p001.h5")["sweep_parameters"] == params
    # runs of two points: their parameters differ, so none is recorded
    mixed = migsim.summarize(outputs[1:3], tmp_path / "mixed.h5", threads=1)
    assert "sources[1].rate" not in mixed.variables and "start_date" not in mixed.variables
    assert migsim.provenance(tmp_path / "mixed.h5")["sweep_parameters"] == ""


def test_package_exports_the_kit_and_the_version():
    import migsim_analysis
    assert migsim.__version__ == cmake_version()
    for name in ("open_run", "encounters_table", "flows_table", "monthly", "difference_table",
                 "plot_monthly", "export_csv"):
        assert getattr(migsim, name) is getattr(migsim_analysis, name), name


def test_pip_install_offline(tmp_path):
    """pip install --no-build-isolation --no-index from a copy of the source tree, into a
    virtual environment over Debian's packages; the installed version is CMake's (a copy
    says 9.8.7 here, so a version written anywhere else fails)."""
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "_installed_version.py")
    shutil.copytree(REPO / "python", src / "python", ignore=ignore)
    shutil.copytree(REPO / "scripts" / "migsim_analysis", src / "scripts" / "migsim_analysis",
                    ignore=ignore)
    for name in ("pyproject.toml", "setup.py"):
        shutil.copy(REPO / name, src / name)
    cmake = (REPO / "CMakeLists.txt").read_text()
    (src / "CMakeLists.txt").write_text(cmake.replace(f"VERSION {cmake_version()}",
                                                      "VERSION 9.8.7", 1))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    str(venv)], check=True)
    py = str(venv / "bin" / "python")
    done = subprocess.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index",
                           "--disable-pip-version-check", str(src)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    probe = ("import migsim, migsim_analysis; "
             "print(migsim.__version__, migsim.__file__, migsim_analysis.__file__)")
    got = subprocess.run([py, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=tmp_path, env={"PATH": "/usr/bin:/bin",
                                              "MPLCONFIGDIR": str(tmp_path / "mpl")}).stdout.split()
    site = venv / "lib"
    assert got[0] == "9.8.7"
    assert all(p.startswith(str(site)) for p in got[1:]), got
    assert not (src / "build").exists()  # the CMake build folder's name is left alone
