# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python API (issue 18, item 4): `import migsim` runs, checks, sweeps and summarizes
through the migsim program ($MIGSIM_BINARY) and raises ConfigError carrying migsim's file,
line, column and field; `pip install` from the source tree works offline. Also ensemble, sobol
and calibrate_abc, the uncertainty commands, through the same plumbing."""
import re
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
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



def test_ensemble_quantiles_are_those_of_the_kept_runs(tmp_path):
    """migsim.ensemble (2 draws x 2 seeds of the demo, 10 days): quantiles given in percent,
    0, 50 and 100 % equal numpy's min, median and max over the four kept runs, cell by
    cell; the mean too; the provenance says which uncertainties are included."""
    draws = tmp_path / "draws.csv"
    draws.write_text("draw,sources[1].rate\nlow,100\nhigh,300\n")
    out, kept = tmp_path / "fc.h5", tmp_path / "kept"
    e = migsim.ensemble(DEMO, out, draws=draws, seeds=2, seed=3, quantiles=(0, 50, 100),
                        set={"days": 10}, threads=1, keep_runs=kept)
    assert list(e["quantile"].values) == [0.0, 0.5, 1.0]  # e.quantile is a method
    assert e.sizes["time"] == 10 and e.attrs["source"] == "migsim ensemble"
    assert e.attrs["migsim_n_runs"] == "4"
    assert e.attrs["migsim_uncertainty"].startswith("parameter draws (2 from ")
    runs = pd.read_csv(kept / "runs.csv")
    order = [("low", 3), ("low", 4), ("high", 3), ("high", 4)]
    assert list(runs.itertuples(index=False, name=None)) == [
        (f"run00000{i}.h5", d, s) for i, (d, s) in enumerate(order)]
    values = np.stack([migsim.open_run(kept / f"run00000{i}.h5").occupancy.values
                       for i in range(4)]).astype(np.float64)
    assert (values.min(axis=0) < values.max(axis=0)).sum() > 20  # the runs differ
    np.testing.assert_array_equal(e.occupancy_quantile.values,
                                  np.quantile(values, [0, 0.5, 1], axis=0))
    np.testing.assert_allclose(e.occupancy_mean.values, values.mean(axis=0), rtol=1e-12)
    assert e.occupancy_quantile.dims == ("quantile", "time", "place")


def test_summarize_and_ensemble_vars(tmp_path):
    """vars= passes --vars: only those variables' statistics, equal to the full summary's,
    the coordinates kept; an unknown name raises MigsimError (64) naming it, nothing left."""
    inputs = [tmp_path / "r1.h5", tmp_path / "r2.h5"]
    for s, path in enumerate(inputs, 1):
        migsim.run(DEMO, set={"days": 10}, seed=s, threads=1, output=path)
    full = migsim.summarize(inputs, tmp_path / "full.h5", threads=1)
    sel = migsim.summarize(inputs, tmp_path / "sel.h5", threads=1, vars=["arrivals", "flow"])
    stats = sorted(v for v in sel.data_vars if v.rsplit("_", 1)[0] in ("arrivals", "flow"))
    assert stats == ["arrivals_mean", "arrivals_q05", "arrivals_q50", "arrivals_q95", "arrivals_sd",
                     "flow_mean", "flow_q05", "flow_q50", "flow_q95", "flow_sd"], stats
    assert "occupancy_mean" not in sel and "occupancy_mean" in full
    for v in stats:
        np.testing.assert_array_equal(sel[v].values, full[v].values)
    assert list(sel.place.values) == list(full.place.values)
    assert migsim.provenance(tmp_path / "sel.h5")["vars"] == "arrivals,flow"
    assert "vars" not in migsim.provenance(tmp_path / "full.h5")
    e = migsim.ensemble(DEMO, tmp_path / "fc.h5", seeds=2, set={"days": 10}, threads=1,
                        quantiles=(50,), vars="occupancy")
    assert [v for v in e.data_vars if v.endswith("_mean")] == ["occupancy_mean"]
    assert e.attrs["migsim_vars"] == "occupancy"
    with pytest.raises(migsim.MigsimError) as caught:
        migsim.summarize(inputs, tmp_path / "bad.h5", threads=1, vars="ocupancy")
    assert caught.value.returncode == 64
    assert caught.value.stderr.strip() == (f'migsim: --vars: no data variable "ocupancy" in {inputs[0]} '
                                           '(did you mean "occupancy"?)')
    assert not (tmp_path / "bad.h5").exists()


def test_ensemble_bad_set_key_or_draws_cell_raises_config_error(tmp_path):
    out = tmp_path / "fc.h5"
    with pytest.raises(migsim.ConfigError) as caught:
        migsim.ensemble(DEMO, out, seeds=2, set={"dyas": 10}, threads=1)
    e = caught.value
    assert (e.field, e.override, e.returncode) == ("dyas", "dyas=10", 78)
    assert e.message == 'unknown key (did you mean "days"?)'
    draws = tmp_path / "draws.csv"
    draws.write_text("draw,movement.distance_power\na,1.0\nb,abc\n")
    with pytest.raises(migsim.ConfigError) as caught:
        migsim.ensemble(DEMO, out, draws=draws, seeds=1, threads=1)
    e = caught.value
    assert (e.file, e.line, e.column, e.field) == (str(draws), 3, 2, "movement.distance_power")
    assert e.message == 'expected a number, got "abc"'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draws.csv"]  # no output left


def test_sobol_of_a_tiny_saltelli_design(tmp_path):
    """sweep (design: saltelli, 4 base points, 3 parameters, 20 days of the demo network),
    run_manifest, then migsim.sobol: the Dataset (.h5) and the DataFrame (.csv) carry the
    parameter labels in the spec's order; the total index of the rate equals Jansen's
    estimator computed here from the runs; the air speed (no air link) has indices of
    exactly 0; --minus the same manifest is refused (exit 64)."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: tiny\nstart_date: 2023-01-01\ndays: 20\n"
        f"network: {{places: {DEMO.parent}/demo/places.csv, links: {DEMO.parent}/demo/links.csv}}\n"
        "nationalities: [VENEZUELA, HONDURAS]\nsources:\n"
        "  - {place: Caracas, nationality: VENEZUELA, rate: 60}\n"
        "  - {place: Tegucigalpa, nationality: HONDURAS, rate: 20.5}\n"
        "speed_km_per_day: {foot: 15, boat: 200, bus: 600, rail: 250, air: 5000}\n")
    keys = ["sources[0].rate", "movement.distance_power", "speed_km_per_day.air"]
    spec = tmp_path / "sens.yaml"
    spec.write_text("scenario: s.yaml\noutput_dir: runs\nseed: 5\ndesign: saltelli\npoints: 4\n"
                    "parameters:\n  - {key: \"sources[0].rate\", min: 20, max: 200}\n"
                    "  - {key: movement.distance_power, min: 0.2, max: 3}\n"
                    "  - {key: speed_km_per_day.air, min: 3000, max: 6000}\n")
    manifest = tmp_path / "manifest.csv"
    assert len(migsim.sweep(spec, manifest)) == 20
    outputs = migsim.run_manifest(manifest, threads=1)
    ds = migsim.sobol(manifest, "arrivals", tmp_path / "s.h5", csv=tmp_path / "s.csv",
                      bootstrap=50)
    assert list(ds.parameter.values) == keys and list(ds.output.values) == ["arrivals"]
    t = migsim.sobol(manifest, "arrivals", tmp_path / "t.csv", bootstrap=50)
    assert list(t["parameter"]) == keys and list(t["runs"]) == [20] * 3
    np.testing.assert_allclose(t["ST"], ds.ST.sel(output="arrivals").values, atol=1e-6)
    y = np.array([float(migsim.open_run(o).arrivals.sum()) for o in outputs])
    n = 4
    fa, fab = y[:n], y[2 * n:3 * n]        # A, and AB_1: A with the rate from B
    st = np.mean((fa - fab) ** 2) / (2 * np.var(y[:2 * n]))
    assert abs(float(ds.ST.sel(output="arrivals", parameter=keys[0])) - st) < 1e-6
    assert st > 0.5  # the rate moves arrivals most
    for c in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"):
        assert float(ds[c].sel(output="arrivals", parameter="speed_km_per_day.air")) == 0.0, c
    with pytest.raises(migsim.MigsimError, match="the difference would be zero") as caught:
        migsim.sobol(manifest, "arrivals", tmp_path / "d.h5", minus=manifest)
    assert caught.value.returncode == 64 and not (tmp_path / "d.h5").exists()


def test_calibrate_abc_returns_the_draws_and_the_record(tmp_path):
    """The corridor at 1:100 over October - December 2020, 6 particles, 1 generation after
    the prior's (as tests/scenario/test_calibrate_abc.sh): 6 draws of weight 1/6, a column
    per prior key, inside the priors; the record beside them; the scenario unchanged."""
    import yaml

    scenario = REPO / "configs" / "corridor" / "corridor.yaml"
    before = scenario.read_bytes()
    draws, record = migsim.calibrate_abc(scenario, tmp_path / "post.csv", particles=6,
                                         generations=1, scale=0.01,
                                         window=("2020-10", "2020-12"), threads=1)
    priors = yaml.safe_load(before)["priors"]
    keys = [k for p in priors for k in p["key"].split(",")]
    assert list(draws.columns) == ["draw", "weight"] + keys
    assert list(draws["draw"]) == list(range(6))
    np.testing.assert_allclose(draws["weight"], 1 / 6, rtol=1e-9)
    for p in priors:
        for k in p["key"].split(","):
            assert draws[k].between(p["lo"], p["hi"]).all(), k
    assert record == tmp_path / "post.yaml"
    abc = yaml.safe_load(record.read_text())["abc"]
    assert (abc["particles"], abc["generations"], abc["window"]) == (6, 1, "2020-10/2020-12")
    assert abc["total_runs"] == sum(abc["runs"])
    assert scenario.read_bytes() == before
    with pytest.raises(ValueError, match="must end in .csv"):
        migsim.calibrate_abc(scenario, tmp_path / "post.h5")


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
