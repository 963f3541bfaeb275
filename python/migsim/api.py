# SPDX-License-Identifier: GPL-3.0-or-later
"""run, check, sweep, summarize, ensemble, sobol and calibrate_abc through the migsim
program (one subprocess a call).

The binary is the first of: the call's binary= argument, $MIGSIM_BINARY, `migsim` on
PATH, and build/migsim in the source tree this package was loaded from.
"""
from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import MigsimError, error_for

_SOURCE_TREE = Path(__file__).resolve().parents[2]


def find_binary(binary=None) -> Path:
    """The migsim program to call: binary, else $MIGSIM_BINARY, else `migsim` on PATH,
    else build/migsim of the source tree. Raises FileNotFoundError naming where it looked."""
    looked = []
    for source, path in (("binary=", binary), ("$MIGSIM_BINARY", os.environ.get("MIGSIM_BINARY")),
                         ("PATH", shutil.which("migsim")),
                         ("the build tree", _SOURCE_TREE / "build" / "migsim")):
        if not path:
            continue
        path = Path(path)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        looked.append(f"{source}: {path}")
        if source in ("binary=", "$MIGSIM_BINARY"):
            break  # asked for explicitly: do not fall back to another binary
    raise FileNotFoundError("no migsim program found (" + ("; ".join(looked) or "not on PATH")
                            + "): pass binary=, set MIGSIM_BINARY or put migsim on PATH")


def _yaml(value) -> str:
    """A Python value as the YAML text of a --set value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def set_arguments(overrides) -> list:
    """--set arguments from a dict {key: value}, one "KEY=VALUE" text or a list of them."""
    if overrides is None:
        return []
    if isinstance(overrides, str):
        overrides = [overrides]
    elif isinstance(overrides, dict):
        overrides = [f"{k}={_yaml(v)}" for k, v in overrides.items()]
    args = []
    for text in overrides:
        args += ["--set", str(text)]
    return args


def call(args, binary=None, cwd=None) -> subprocess.CompletedProcess:
    """Runs migsim with args; returns the finished process, or raises ConfigError or
    MigsimError carrying what it reported."""
    command = [str(find_binary(binary))] + [str(a) for a in args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        raise error_for(command, done.returncode, done.stderr)
    return done


def _common(seed, threads):
    args = [] if seed is None else ["--seed", str(seed)]
    return args + ([] if threads is None else ["--threads", str(threads)])


def _open(path, all_provenance):
    from migsim_analysis import open_run, provenance

    ds = open_run(path)
    if all_provenance:
        for key, value in provenance(path).items():
            ds.attrs.setdefault(key if key.startswith("migsim_") else "migsim_" + key, value)
    return ds


def check(scenario, set=None, *, binary=None) -> str:
    """Validates a scenario (with --set overrides) as `migsim check` does. Returns its
    report ("s.yaml: OK (model basic, 15 places, ...)" and the memory estimate); raises
    ConfigError with every problem (file, line, column, field, message) otherwise."""
    return call(["check", scenario] + set_arguments(set), binary).stdout


def run(scenario, set=None, seed=None, threads=None, output=None, *, binary=None):
    """Runs a scenario and returns its output as an in-memory xarray.Dataset (read with
    migsim_analysis.open_run: dates, labels, units). set: {key: value} or "KEY=VALUE"
    texts, as --set; seed and threads as --seed and --threads (results do not depend on
    threads). output: the HDF5 file to keep, or None for a temporary one removed after
    reading. Every /provenance attribute is in ds.attrs as migsim_<name>
    (migsim_seed, migsim_scenario_resolved, migsim_command_line, ...).
    Raises ConfigError for a bad scenario or value, MigsimError for other failures."""
    args = ["run", scenario] + set_arguments(set) + _common(seed, threads) + ["--quiet"]
    if output is not None:
        call(args + ["-o", output], binary)
        return _open(output, True)
    with tempfile.TemporaryDirectory(prefix="migsim-run-") as tmp:
        path = Path(tmp) / "run.h5"
        call(args + ["-o", path], binary)
        ds = _open(path, True)
    del ds.attrs["source_file"]
    return ds


def sweep(spec, output, *, binary=None):
    """Expands a sweep spec (YAML, see the README's "The sweep spec") into the manifest
    CSV output, one row per run; returns the manifest as a pandas DataFrame. Run its rows
    with run_manifest (or as a SLURM array)."""
    import pandas as pd

    call(["sweep", spec, "-o", output], binary)
    return pd.read_csv(output)


def run_manifest(manifest, tasks=None, threads=None, *, binary=None) -> list:
    """Runs rows of a manifest one after the other (`migsim run --manifest M --task N`):
    tasks is a list of task numbers, None for every row. Returns the outputs' paths."""
    import pandas as pd

    rows = pd.read_csv(manifest)
    chosen = list(rows["task"]) if tasks is None else list(tasks)
    folder = Path(manifest).resolve().parent
    outputs = []
    for task in chosen:
        call(["run", "--manifest", manifest, "--task", task, "--quiet"]
             + _common(None, threads), binary)
        row = rows.loc[rows["task"] == task].iloc[0]
        outputs.append(folder / row["output"])
    return outputs


def _vars_arguments(names) -> list:
    """--vars NAME,... from a name, a "a,b" text or a list of names; [] for None."""
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    return ["--vars", ",".join(str(n) for n in names)]


def summarize(runs, output, quantiles=None, threads=None, vars=None, *, binary=None):
    """Mean, sd and quantiles across runs (`migsim summarize`): writes output and returns
    it as an xarray.Dataset. quantiles: e.g. (0.05, 0.5, 0.95), None for migsim's.
    vars: the data variables to summarize (a name or a list, e.g. ["encounters"]), None
    for all; the coordinates are copied either way, and an unknown name raises
    MigsimError (exit 64)."""
    runs = [runs] if isinstance(runs, (str, os.PathLike)) else list(runs)
    if not runs:
        raise ValueError("summarize: no runs given")
    args = ["summarize"] + runs + ["-o", output, "--quiet"] + _common(None, threads) + _vars_arguments(vars)
    if quantiles is not None:
        args += ["--quantiles", ",".join(repr(float(q)) for q in quantiles)]
    call(args, binary)
    return _open(output, False)


def _options(*pairs):
    """["--name", value, ...] for each (name, value) pair whose value is not None."""
    args = []
    for name, value in pairs:
        if value is not None:
            args += [name, value]
    return args


def ensemble(scenario, output, draws=None, seeds=None, seed=None, quantiles=None, set=None,
             threads=None, keep_runs=None, vars=None, *, binary=None):
    """Forecast intervals (`migsim ensemble`): runs the scenario for every parameter draw
    (a row of the CSV draws, e.g. calibrate_abc's; None: the seeds only) with the seeds
    seed .. seed+seeds-1 (migsim's defaults 1 and 10), writes the statistics over all
    draw x seed runs to output (HDF5) and returns them as an xarray.Dataset: V_mean, V_sd
    and V_quantile over (quantile, time, ...) for every variable V of a run, read with
    migsim_analysis.open_run (labels, dates; the /provenance attributes as
    migsim_<name>: migsim_uncertainty, migsim_n_runs, migsim_inputs, ...).
    quantiles: PERCENTAGES in [0, 100] as on the command line, e.g. (5, 50, 95), None for
    migsim's (5, 10, 25, 50, 75, 90, 95); the Dataset's quantile coordinate holds them
    divided by 100 (ds.occupancy_quantile.sel(quantile=0.5); the levels are
    ds["quantile"], as ds.quantile is xarray's method). set: as for run, applied to
    every run before the draw's values. keep_runs: a new folder to keep the runs in
    (run000000.h5, ... and runs.csv: file, draw, seed). vars: the data variables to
    summarize (a name or a list, e.g. ["encounters"]), None for all; the runs kept are
    whole. Raises ConfigError for a bad scenario, --set value or draws cell, MigsimError
    for other failures (a vars name that is no variable of the runs: exit 64)."""
    args = (["ensemble", scenario, "-o", output] + _options(("--draws", draws), ("--seeds", seeds))
            + set_arguments(set) + _common(seed, threads) + _options(("--keep-runs", keep_runs))
            + _vars_arguments(vars) + ["--quiet"])
    if quantiles is not None:
        args += ["--quantiles", ",".join(repr(float(q)) for q in quantiles)]
    call(args, binary)
    return _open(output, True)


def _is_hdf5(path) -> bool:
    return Path(path).suffix in (".h5", ".hdf5", ".nc")  # migsim sobol's rule for -o


def sobol(manifest, variable, output, period=None, minus=None, csv=None, bootstrap=None,
          level=None, seed=None, *, binary=None):
    """Sobol indices (`migsim sobol`) of variable (a variable over time of the runs:
    "encounters", "arrivals", ...) summed over period ("FY2023", "2023-01",
    "2023-01:2023-03", ...; None: all) and its other dimensions, from the runs of a
    Saltelli design: manifest is the design, made by sweep() of a spec with
    `design: saltelli` and run with run_manifest() (or a SLURM array) first.
    minus: a second manifest of the same design (another scenario or a fixed setting, e.g.
    a package switched off): the indices of the paired difference run - run of minus.
    output: the indices' file, HDF5 with provenance when it ends in .h5, .hdf5 or .nc,
    returned as the labelled Dataset of migsim_analysis.open_sobol (S1, S1_low, S1_high,
    ST, ST_low, ST_high over (output, parameter)); else CSV, returned as the
    pandas.DataFrame of migsim_analysis.sobol_table (a row per parameter). csv: the CSV
    too, beside an HDF5 output. bootstrap (resamples, default 1000; 0: no intervals),
    level (default 0.95) and seed (the resampling's, default 1) as on the command line."""
    from migsim_analysis import open_sobol, sobol_table

    args = (["sobol", manifest, "--output", variable, "-o", output]
            + _options(("--period", period), ("--minus", minus), ("--csv", csv),
                       ("--bootstrap", bootstrap), ("--level", level), ("--seed", seed))
            + ["--quiet"])
    call(args, binary)
    return open_sobol(output) if _is_hdf5(output) else sobol_table(output)


def calibrate_abc(scenario, output, particles=None, generations=None, quantile=None,
                  max_evals=None, scale=None, window=None, data=None, jobs=None, threads=None,
                  set=None, *, binary=None):
    """A posterior sample of the scenario's priors by ABC-SMC (`migsim calibrate --abc`):
    particles draws (default 100) after generations generations (default 4) at the
    quantile tolerance (default 0.5), the model's objective over window ("2020-10:2023-09",
    or a pair ("2020-10", "2023-09")) at scale agents per person, against the record in
    data (default the scenario's data folder); jobs runs at once (the draws do not depend
    on it). output must end in .csv; the record (settings, tolerances, runs, the
    posterior's summary) is written beside it with .yaml instead; the scenario is not
    changed. Returns (draws, record): the draws as a pandas.DataFrame (columns draw,
    weight and one per prior key, as ensemble(draws=output) reads them) and the record's
    Path."""
    import pandas as pd

    output = Path(output)
    if output.suffix != ".csv":
        raise ValueError(f"calibrate_abc: output must end in .csv, got {output}")
    if isinstance(window, (list, tuple)):
        window = ":".join(str(w) for w in window)
    args = (["calibrate", scenario, "--abc", "-o", output]
            + _options(("--particles", particles), ("--generations", generations),
                       ("--abc-quantile", quantile), ("--max-evals", max_evals),
                       ("--scale", scale), ("--window", window), ("--data", data),
                       ("--jobs", jobs), ("--threads", threads))
            + set_arguments(set) + ["--quiet"])
    call(args, binary)
    return pd.read_csv(output), output.with_suffix(".yaml")


__all__ = ["find_binary", "check", "run", "sweep", "run_manifest", "summarize", "ensemble",
           "sobol", "calibrate_abc", "set_arguments", "MigsimError"]
