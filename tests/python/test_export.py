# SPDX-License-Identifier: GPL-3.0-or-later
"""Tidy CSV tables (issue 18, item 6): export_csv and `python3 -m migsim export RUN.h5
--csv DIR` write one long table per variable, the dimensions' labels and the value, with
the units in the value column's name, against values read from the run."""
import os
import subprocess
import sys

import numpy as np
import pandas as pd

from conftest import REPO
from migsim_analysis import export_csv


def test_one_tidy_table_per_variable(ds, tmp_path):
    paths = export_csv(ds, tmp_path / "t")
    names = sorted(p.name for p in paths)
    assert names == sorted([f"{v}.csv" for v in ds.data_vars]
                           + ["place.csv", "link.csv", "provenance.csv", "variables.csv"])
    arrivals = pd.read_csv(tmp_path / "t" / "arrivals.csv")
    assert list(arrivals.columns) == ["time", "place", "nationality", "arrivals [persons day-1]"]
    assert len(arrivals) == 90 * 15 * 2
    row = arrivals[(arrivals.time == "2023-02-15") & (arrivals.place == "Tapachula")
                   & (arrivals.nationality == "HONDURAS")]
    expected = ds.arrivals.sel(time="2023-02-15", place="Tapachula", nationality="HONDURAS")
    assert row["arrivals [persons day-1]"].tolist() == [int(expected)]
    assert arrivals["arrivals [persons day-1]"].sum() == int(ds.arrivals.sum())
    occupancy = pd.read_csv(tmp_path / "t" / "occupancy.csv")
    assert list(occupancy.columns) == ["time", "place", "occupancy [persons]"]
    np.testing.assert_array_equal(occupancy["occupancy [persons]"].values,
                                  ds.occupancy.values.ravel())
    places = pd.read_csv(tmp_path / "t" / "place.csv")
    assert list(places.columns[:5]) == ["place", "place_country", "place_kind",
                                        "place_lat [degrees_north]", "place_lon [degrees_east]"]
    listing = pd.read_csv(tmp_path / "t" / "variables.csv").set_index("variable")
    assert listing.loc["flow", "units"] == "persons day-1"
    assert listing.loc["flow", "dimensions"] == "time link"
    assert (listing["agents_per_person"] == 1.0).all()
    prov = pd.read_csv(tmp_path / "t" / "provenance.csv", keep_default_na=False).set_index("key")
    assert prov.loc["seed", "value"] == ds.attrs["migsim_seed"]
    assert prov.loc["scenario_resolved", "value"].startswith("name: demo\n")   # multi-line, quoted
    assert not [p for p in (tmp_path / "t").iterdir() if ".tmp." in p.name]


def test_monthly_tables_sum_flows_and_average_stocks(ds, tmp_path):
    export_csv(ds, tmp_path, monthly=True)
    flow = pd.read_csv(tmp_path / "flow.csv")
    assert list(flow.columns) == ["month", "link", "flow [persons month-1]"]
    feb = flow[(flow.month == "2023-02-01") & (flow.link == "Caracas->Necocli")]
    expected = ds.flow.sel(time="2023-02", link="Caracas->Necocli").sum()
    assert feb["flow [persons month-1]"].tolist() == [int(expected)]
    alive = pd.read_csv(tmp_path / "alive.csv")
    assert alive["alive [persons]"].tolist() == [
        float(ds.alive.sel(time=m).mean()) for m in ("2023-01", "2023-02", "2023-03")]


def test_command_line_export(demo_h5, tmp_path):
    env = dict(os.environ, PYTHONPATH=f"{REPO / 'python'}:{REPO / 'scripts'}")
    cmd = [sys.executable, "-m", "migsim", "export", str(demo_h5), "--csv", str(tmp_path / "c")]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{demo_h5}: 20 tables in {tmp_path / 'c'}\n"
    assert (tmp_path / "c" / "flow.csv").is_file()


def test_scaled_run_says_its_counts_are_agents(demo_h5, tmp_path):
    """A run at 0.05 agents per person (the corridor at 1:20): the tables keep the stored
    counts, and variables.csv and the command say how to read them as persons."""
    import shutil

    import h5py
    scaled = tmp_path / "scaled.h5"
    shutil.copy(demo_h5, scaled)
    with h5py.File(scaled, "r+") as f:
        f["provenance"].attrs["agents_per_person"] = "0.05"
    env = dict(os.environ, PYTHONPATH=f"{REPO / 'python'}:{REPO / 'scripts'}")
    cmd = [sys.executable, "-m", "migsim", "export", str(scaled), "--csv", str(tmp_path / "s")]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == ("counts are agents, 0.05 per person: divide by 0.05 "
                                           "for persons (variables.csv, provenance.csv)")
    listing = pd.read_csv(tmp_path / "s" / "variables.csv")
    assert (listing["agents_per_person"] == 0.05).all()
    prov = pd.read_csv(tmp_path / "s" / "provenance.csv", keep_default_na=False).set_index("key")
    assert prov.loc["agents_per_person", "value"] == "0.05"
    cmd[4] = str(tmp_path / "nope.h5")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert done.returncode == 66
    assert done.stderr == f"migsim export: {tmp_path / 'nope.h5'}: no such file (run migsim first?)\n"
