# SPDX-License-Identifier: GPL-3.0-or-later
"""migsim_analysis loading and tables, checked against the file read with h5py/NumPy
(expected_values.py) on a real run of configs/demo.yaml."""
import csv
import datetime as dt

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import expected_values as ev
from migsim_analysis import (complete_periods, difference_table, encounters,
                             encounters_table, flows_table, load_observed_monthly, monthly,
                             occupancy_table, open_run, provenance)
from conftest import REPO

OBSERVED = REPO / "configs/corridor/data/cbp_swb_encounters_monthly_fy2021_fy2023.csv"


@pytest.fixture(scope="module")
def raw(demo_h5):
    """Everything the tests compare with, read with h5py."""
    with h5py.File(demo_h5, "r") as f:
        counts, keep = ev.encounter_counts(f)
        return {
            "dates": ev.dates(f),
            "place": ev.text(f["place"][:]),
            "link": ev.text(f["link"][:]),
            "nationality": ev.text(f["nationality"][:]),
            "kind": ev.text(f["place_kind"][:]),
            "occupancy": f["occupancy"][:],
            "flow": f["flow"][:],
            "spawned": f["spawned"][:],
            "counts": counts, "keep": keep,
            "occupancy_units": f["occupancy"].attrs["units"],
            "time_units": f["time"].attrs["units"],
        }


def as_str(x):
    return x.decode() if isinstance(x, bytes) else x


# -- open_run and provenance ------------------------------------------------------------

def test_open_run_labels_time_and_units(ds, raw):
    assert list(ds["place"].values) == raw["place"]
    assert list(ds["link"].values) == raw["link"]
    assert list(ds["nationality"].values) == ["VENEZUELA", "HONDURAS"]
    assert all(isinstance(v, str) for v in ds["place"].values)
    assert np.issubdtype(ds["time"].dtype, np.datetime64)
    assert list(pd.DatetimeIndex(ds["time"].values).date) == raw["dates"]
    assert raw["dates"][0] == dt.date(2023, 1, 1) and len(raw["dates"]) == 90
    assert ds.attrs["time_units"] == as_str(raw["time_units"]) == "days since 2023-01-01"
    assert ds["occupancy"].attrs["units"] == as_str(raw["occupancy_units"]) == "persons"
    for name, var in ds.data_vars.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    assert ds.attrs["migsim_seed"] == "7"
    assert ds.attrs["migsim_model"] == "basic"
    np.testing.assert_array_equal(ds["occupancy"].values, raw["occupancy"])


def test_open_run_same_with_both_engines(demo_h5, ds):
    other = open_run(demo_h5, engine="h5netcdf")
    assert list(other["place"].values) == list(ds["place"].values)
    pd.testing.assert_frame_equal(encounters_table(other), encounters_table(ds))


def test_open_run_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        open_run(tmp_path / "nope.h5")


def test_provenance(demo_h5, ds):
    prov = provenance(demo_h5)
    assert prov["seed"] == "7"
    assert "name: demo" in prov["scenario_resolved"]
    assert "seed: 7" in prov["scenario_resolved"]
    assert provenance(ds) == prov                     # from the Dataset's source_file


# -- spawned: the demo's known total ----------------------------------------------------

def test_spawned_total_is_the_scenario_rate(ds, raw):
    # 800/day x 90 days (Caracas) + 250.5/day x 60 days (Tegucigalpa, 15 Jan - 15 Mar)
    assert int(raw["spawned"].astype(np.int64).sum()) == 87030
    assert int(ds["spawned"].astype("int64").sum()) == 87030
    by_nat = monthly(ds, "spawned", by="nationality")
    assert list(by_nat["VENEZUELA"]) == [800 * 31, 800 * 28, 800 * 31]
    assert int(by_nat["HONDURAS"].sum()) == 15030
    assert int(monthly(ds, "spawned").sum()) == 87030


# -- encounters -------------------------------------------------------------------------

def test_encounters_fall_back_to_arrivals_at_destinations(ds, raw):
    assert "encounters" not in ds.data_vars     # the basic model writes none (yet)
    enc = encounters(ds)
    assert enc.attrs["source"] == "arrivals at destination places"
    dest = [p for p, k in zip(raw["place"], raw["kind"]) if k == "destination"]
    assert list(enc["place"].values) == dest == ["El Paso", "Rio Grande Valley"]


def test_encounters_table_total_equals_h5py(ds, raw):
    table = encounters_table(ds)
    assert list(table.columns) == ["month", "sector", "nationality", "encounters"]
    assert table["encounters"].dtype == np.int64
    want = int(raw["counts"][:, raw["keep"], :].sum())
    assert want > 1000                            # the run did reach the border
    assert int(table["encounters"].sum()) == want


def test_encounters_table_january_equals_h5py(ds, raw):
    table = encounters_table(ds)
    jan = np.array([d.month == 1 and d.year == 2023 for d in raw["dates"]])
    want = int(raw["counts"][jan][:, raw["keep"], :].sum())
    got = int(table.loc[table["month"] == "2023-01-01", "encounters"].sum())
    assert got == want


def test_encounters_table_every_cell_equals_h5py(ds, raw):
    table = encounters_table(ds)
    months = sorted({d.replace(day=1) for d in raw["dates"]})
    assert len(table) == len(months) * len(raw["keep"]) * len(raw["nationality"])
    for row in table.itertuples(index=False):
        days = np.array([d.replace(day=1) == row.month.date() for d in raw["dates"]])
        p = raw["place"].index(row.sector)
        n = raw["nationality"].index(row.nationality)
        assert row.encounters == raw["counts"][days, p, n].sum(), row


def test_encounters_daily_table(ds, raw):
    daily = encounters_table(ds, freq=None)
    assert list(daily.columns) == ["date", "sector", "nationality", "encounters"]
    assert len(daily) == 90 * 2 * 2
    t = 40
    p = raw["place"].index("El Paso")
    got = daily[(daily["date"] == pd.Timestamp(raw["dates"][t]))
                & (daily["sector"] == "El Paso") & (daily["nationality"] == "HONDURAS")]
    assert int(got["encounters"].iloc[0]) == raw["counts"][t, p, 1]


def test_encounters_variable_is_used_when_present(tmp_path, demo_h5, raw):
    """A file with an `encounters` variable (as a later engine writes it) is read from
    that variable, including a non-destination place where it is non-zero."""
    ev.add_encounters(demo_h5, tmp_path / "with_encounters.h5")
    ds2 = open_run(tmp_path / "with_encounters.h5")
    enc = encounters(ds2)
    assert enc.attrs["source"] == "encounters"
    border = raw["place"][raw["kind"].index("border")]
    assert list(enc["place"].values) == [border, "El Paso", "Rio Grande Valley"]
    dest = [i for i, k in enumerate(raw["kind"]) if k == "destination"]
    want = 2 * int(raw["counts"][:, dest, :].sum()) + 3 * 90
    assert int(encounters_table(ds2)["encounters"].sum()) == want


# -- flows and occupancy ----------------------------------------------------------------

def test_flows_table_equals_h5py(ds, raw):
    table = flows_table(ds)
    assert list(table.columns) == ["link", "from", "to", "mode", "distance_km", "persons"]
    assert list(table["link"]) == raw["link"]
    for i, row in table.iterrows():
        assert row["persons"] == raw["flow"][:, i].sum()
        assert row["link"] == f"{row['from']}->{row['to']}"
    darien = table.set_index("link").loc["Capurgana->Bajo Chiquito"]
    assert darien["mode"] == "foot" and darien["distance_km"] == 106.0
    i = raw["link"].index("Capurgana->Bajo Chiquito")
    assert darien["persons"] == raw["flow"][:, i].sum() > 0


def test_flows_by_month_add_up(ds, raw):
    table = flows_table(ds, freq="MS")
    assert list(table.columns) == ["month", "link", "from", "to", "mode", "distance_km",
                                   "persons"]
    assert len(table) == 3 * len(raw["link"])
    totals = table.groupby("link", sort=False)["persons"].sum()
    assert list(totals) == list(raw["flow"].astype(np.int64).sum(axis=0))
    feb = np.array([d.month == 2 for d in raw["dates"]])
    i = raw["link"].index("Mexico City->Reynosa")
    got = table[(table["month"] == "2023-02-01") & (table["link"] == "Mexico City->Reynosa")]
    assert int(got["persons"].iloc[0]) == raw["flow"][feb, i].sum()


def test_occupancy_table_equals_h5py(ds, raw):
    table = occupancy_table(ds)
    assert list(table.columns) == ["date", "place", "occupancy"]
    assert len(table) == 90 * 15
    for t, place in ((0, "Caracas"), (45, "Tapachula"), (89, "Mexico City"), (30, "Danli")):
        p = raw["place"].index(place)
        row = table[(table["date"] == pd.Timestamp(raw["dates"][t])) & (table["place"] == place)]
        assert int(row["occupancy"].iloc[0]) == raw["occupancy"][t, p]
    assert raw["occupancy"][45, raw["place"].index("Tapachula")] > 0


# -- monthly ----------------------------------------------------------------------------

def test_monthly_sums_flows_and_averages_stocks(ds, raw):
    enc = monthly(ds)
    assert enc.index.name == "month" and enc.name == "encounters"
    assert list(enc.index) == [pd.Timestamp(f"2023-0{m}-01") for m in (1, 2, 3)]
    assert int(enc.sum()) == int(raw["counts"][:, raw["keep"], :].sum())
    occ = monthly(ds, "occupancy", by="place")
    feb = np.array([d.month == 2 for d in raw["dates"]])
    p = raw["place"].index("Tapachula")
    assert occ.loc["2023-02-01", "Tapachula"] == pytest.approx(raw["occupancy"][feb, p].mean())
    by_nat = monthly(ds, by="nationality")
    pd.testing.assert_series_equal(by_nat.sum(axis=1), enc, check_names=False)
    with pytest.raises(ValueError, match="cannot break it down by 'link'"):
        monthly(ds, "occupancy", by="link")


def test_complete_periods_drops_partial_months():
    time = pd.date_range("2023-01-10", "2023-04-30", freq="D")
    ones = np.ones(len(time), dtype=np.int32)
    toy = xr.Dataset({"x": ("time", ones, {"units": "persons day-1"})},
                     coords={"time": time})
    assert list(complete_periods(toy)) == [pd.Timestamp("2023-02-01"), pd.Timestamp("2023-03-01"),
                                           pd.Timestamp("2023-04-01")]
    m = monthly(toy, "x", complete=True)
    assert list(m) == [28, 31, 30]
    assert list(monthly(toy, "x")) == [22, 28, 31, 30]


# -- observed data ----------------------------------------------------------------------

def test_load_observed_monthly_reads_the_cbp_table():
    with open(OBSERVED, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["calendar_month"]]
    jan = next(r for r in rows if r["calendar_month"] == "2023-01")
    s = load_observed_monthly(OBSERVED, "usbp_encounters_swb")
    assert s.index.name == "month" and len(s) == len(rows) == 36
    assert s.loc["2023-01-01"] == int(jan["usbp_encounters_swb"])
    assert s.index[0] == pd.Timestamp("2020-10-01") and s.index[-1] == pd.Timestamp("2023-09-01")
    both = load_observed_monthly(OBSERVED, ["usbp_encounters_swb", "ofo_encounters_swb"])
    assert both.loc["2023-01-01", "ofo_encounters_swb"] == int(jan["ofo_encounters_swb"])
    with pytest.raises(KeyError, match="no column 'nope'"):
        load_observed_monthly(OBSERVED, "nope")


# -- scenario vs counterfactual ---------------------------------------------------------

def monthly_destination_arrivals(path):
    with h5py.File(path, "r") as f:
        counts, keep = ev.encounter_counts(f)
        months = np.array([d.month for d in ev.dates(f)])
    per_day = counts[:, keep, :].sum(axis=(1, 2))
    return np.array([per_day[months == m].sum() for m in (1, 2, 3)], dtype=float)


def test_difference_paired_over_seeds(scenario_runs, counterfactual_runs):
    table = difference_table(scenario_runs, counterfactual_runs)
    s = np.array([monthly_destination_arrivals(p) for p in scenario_runs])
    c = np.array([monthly_destination_arrivals(p) for p in counterfactual_runs])
    d = s - c
    assert bool(table["paired"].iloc[0]) and list(table["n_scenario"]) == [2, 2, 2]
    np.testing.assert_allclose(table["scenario"], s.mean(axis=0))
    np.testing.assert_allclose(table["counterfactual"], c.mean(axis=0))
    np.testing.assert_allclose(table["difference"], d.mean(axis=0))
    half = 12.706205 * d.std(axis=0, ddof=1) / np.sqrt(2)   # Student's t, 1 df: the default
    np.testing.assert_allclose(table["lower"], d.mean(axis=0) - half)
    np.testing.assert_allclose(table["upper"], d.mean(axis=0) + half)
    # halving the Honduran departures lowers encounters by February
    assert table["difference"].iloc[1] > 0


def test_difference_unpaired_and_single(scenario_runs, counterfactual_runs):
    swapped = difference_table(scenario_runs, counterfactual_runs[::-1])
    assert not bool(swapped["paired"].iloc[0])    # seeds 1,2 against 2,1
    s = np.array([monthly_destination_arrivals(p) for p in scenario_runs])
    c = np.array([monthly_destination_arrivals(p) for p in counterfactual_runs])
    se = np.sqrt(s.var(axis=0, ddof=1) / 2 + c.var(axis=0, ddof=1) / 2)
    np.testing.assert_allclose(swapped["se"], se)
    single = difference_table(scenario_runs[0], scenario_runs[0])
    assert (single["difference"] == 0).all() and single["se"].isna().all()
