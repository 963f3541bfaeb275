# SPDX-License-Identifier: GPL-3.0-or-later
"""run, check, sweep and summarize through the migsim program (one subprocess a call).

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


def summarize(runs, output, quantiles=None, threads=None, *, binary=None):
    """Mean, sd and quantiles across runs (`migsim summarize`): writes output and returns
    it as an xarray.Dataset. quantiles: e.g. (0.05, 0.5, 0.95), None for migsim's."""
    runs = [runs] if isinstance(runs, (str, os.PathLike)) else list(runs)
    if not runs:
        raise ValueError("summarize: no runs given")
    args = ["summarize"] + runs + ["-o", output, "--quiet"] + _common(None, threads)
    if quantiles is not None:
        args += ["--quantiles", ",".join(repr(float(q)) for q in quantiles)]
    call(args, binary)
    return _open(output, False)


__all__ = ["find_binary", "check", "run", "sweep", "run_manifest", "summarize",
           "set_arguments", "MigsimError"]
