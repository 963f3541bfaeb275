# SPDX-License-Identifier: GPL-3.0-or-later
"""difference_table's intervals and shapes on small synthetic runs with known answers, and
scripts/counterfactual's analysis (--analyse-only) and usage errors.

The synthetic runs: 45 days from 2023-01-01 (January whole, 14 days of February), places
A and B (destinations: Border Patrol sectors) and T (a town), nationalities X and Y, an
`encounters` variable of 5 persons a day at A and B for each nationality, 0 at T. In
scenario run i (seed i) the cell (2023-01-01, A, X) holds 5 + i instead, so the per-seed
differences are 1, 2, 3 in January at A for X and 0 everywhere else: mean 2, sample sd 1,
and a 95% t half-width t_{0.975,2} * 1 / sqrt(3) = 4.302653 / 1.732051 = 2.4841.
"""
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from conftest import REPO
from migsim_analysis import difference_table, plot_difference, plot_difference_by, plot_monthly
from migsim_analysis.tables import _t975
from test_plots import check_png

CLI = REPO / "scripts" / "counterfactual"
T975_DF2 = 4.302653            # t_{0.975, 2}
HALF = T975_DF2 / np.sqrt(3)   # 2.4841


def synthetic_run(seed, extra=0):
    """A run with 5 encounters a day at A and B for X and Y (none at the town T), plus
    `extra` on 2023-01-01 at A for X."""
    time = pd.date_range("2023-01-01", periods=45, freq="D")
    values = np.full((45, 3, 2), 5, dtype="int32")
    values[:, 2, :] = 0
    values[0, 0, 0] += extra
    ds = xr.Dataset(
        {"encounters": (("time", "place", "nationality"), values,
                        {"units": "persons day-1", "long_name": "encounters"})},
        coords={"time": time, "place": ["A", "B", "T"], "nationality": ["X", "Y"],
                "place_kind": ("place", ["destination", "destination", "town"])})
    ds.attrs["migsim_seed"] = str(seed)
    return ds


@pytest.fixture(scope="module")
def pair():
    """Seeds 1, 2, 3: scenario with 1, 2, 3 extra encounters, counterfactual without."""
    return ([synthetic_run(s, extra=s) for s in (1, 2, 3)],
            [synthetic_run(s) for s in (1, 2, 3)])


def test_t_interval_known_answer(pair):
    table = difference_table(*pair, freq="MS", complete=False, interval="t")
    jan = table.iloc[0]
    assert jan["month"] == pd.Timestamp("2023-01-01") and bool(jan["paired"])
    assert jan["difference"] == pytest.approx(2.0)
    assert jan["sd"] == pytest.approx(1.0)
    assert jan["se"] == pytest.approx(1 / np.sqrt(3))
    assert jan["df"] == 2
    assert jan["upper"] - jan["difference"] == pytest.approx(2.4841, abs=1e-4)
    assert jan["lower"] == pytest.approx(2.0 - HALF, rel=1e-6)
    assert jan["upper"] == pytest.approx(2.0 + HALF, rel=1e-6)
    assert jan["scenario"] == pytest.approx(31 * 4 * 5 + 2)
    assert jan["counterfactual"] == pytest.approx(31 * 4 * 5)


def test_t_interval_is_the_default(pair):
    """Student's t is the kit's one convention (issue 18); "normal" on request."""
    jan = difference_table(*pair, freq="MS", complete=False).iloc[0]
    assert jan["upper"] - jan["difference"] == pytest.approx(2.4841, abs=1e-4)
    jan = difference_table(*pair, freq="MS", complete=False, interval="normal").iloc[0]
    assert jan["upper"] - jan["difference"] == pytest.approx(1.96 / np.sqrt(3))


def test_no_spread_gives_a_zero_width_interval(pair):
    """February: every seed's difference is 0, so sd, se, lower and upper are exactly 0."""
    feb = difference_table(*pair, freq="MS", complete=False, interval="t").iloc[1]
    for col in ("difference", "sd", "se", "lower", "upper"):
        assert feb[col] == 0.0, col
    same = difference_table(pair[1], pair[1], freq="run", by="sector", interval="t")
    assert (same[["difference", "sd", "lower", "upper"]].to_numpy() == 0).all()


def test_unpaired_uses_welch(pair):
    """Seeds that differ: unpaired. With a constant counterfactual the Welch df is n - 1 and
    the interval equals the paired one."""
    other = [synthetic_run(s) for s in (4, 5, 6)]
    row = difference_table(pair[0], other, freq="MS", complete=False, interval="t").iloc[0]
    assert not bool(row["paired"]) and np.isnan(row["sd"])
    assert row["df"] == pytest.approx(2.0)
    assert row["upper"] - row["difference"] == pytest.approx(HALF, rel=1e-6)
    single = difference_table(pair[0][0], pair[1][0], freq="run", interval="t")
    assert single[["sd", "se", "lower", "upper"]].isna().all(axis=None)


def test_table_shapes(pair):
    stats = ["days", "scenario", "counterfactual", "difference", "sd", "se", "df", "lower",
             "upper", "scenario_se", "counterfactual_se", "n_scenario", "n_counterfactual",
             "paired", "agents_per_person", "interval"]
    month = difference_table(*pair, freq="MS", complete=False, interval="t")
    assert list(month.columns) == ["month"] + stats
    assert list(month["days"]) == [31, 14]
    assert len(difference_table(*pair, freq="MS", interval="t")) == 1   # complete months
    sector = difference_table(*pair, freq="run", by="sector", interval="t")
    assert list(sector.columns) == ["sector"] + stats
    assert list(sector["sector"]) == ["A", "B"]            # destinations only, file order
    assert list(sector["days"]) == [45, 45]
    np.testing.assert_allclose(sector["difference"], [2, 0])
    nat = difference_table(*pair, freq="run", by="nationality", interval="t")
    assert list(nat["nationality"]) == ["X", "Y"]
    np.testing.assert_allclose(nat["difference"], [2, 0])
    np.testing.assert_allclose(nat["upper"], [2 + HALF, 0])
    both = difference_table(*pair, freq="MS", complete=False, by="nationality")
    assert list(both.columns[:2]) == ["month", "nationality"] and len(both) == 4
    total = difference_table(*pair, freq="run", interval="t")
    assert list(total["period"]) == ["2023-01-01/2023-02-14"]
    assert total["scenario"].iloc[0] == pytest.approx(45 * 4 * 5 + 2)
    for t in (month, sector, nat, both):
        assert t["difference"].sum() == pytest.approx(total["difference"].iloc[0])


def test_scaled_runs_count_persons_and_every_table_and_plot_says_so(pair, tmp_path):
    """Runs at 0.05 agents per person (the corridor's 1:20): the table divides by their
    own agents_per_person unless told otherwise, and the table and the plots say so."""
    scaled = tuple([r.assign_attrs(migsim_agents_per_person="0.05") for r in side] for side in pair)
    jan = difference_table(*scaled, freq="MS", complete=False).iloc[0]
    assert jan["difference"] == pytest.approx(40.0) and jan["sd"] == pytest.approx(20.0)
    assert jan["upper"] - jan["difference"] == pytest.approx(20 * HALF, rel=1e-6)
    assert jan["agents_per_person"] == 0.05
    assert jan["interval"] == "95% Student's t across 3 seeds, paired"
    assert difference_table(*scaled, freq="MS", complete=False, scale=1).iloc[0]["difference"] \
        == pytest.approx(2.0)
    one = difference_table(scaled[0][0], scaled[1][0], freq="run").iloc[0]
    assert one["interval"] == "none: one run on a side gives no spread across seeds"
    welch = difference_table(pair[0], pair[1][:2], freq="run", interval="normal").iloc[0]
    assert welch["interval"] == "95% normal (1.96 se) across 3 and 2 seeds, unpaired"
    note = "counts in persons: agents \u00f7 0.05 agents per person"
    fig = plot_difference(*scaled, tmp_path / "d.png", complete=False)
    assert fig.axes[0].get_title().endswith(note)
    fig = plot_difference_by(*scaled, tmp_path / "b.png")
    assert fig.axes[0].get_title().endswith(note)
    assert note not in plot_difference(*pair, tmp_path / "u.png", complete=False).axes[0].get_title()
    fig = plot_monthly(scaled[0], tmp_path / "m.png", complete=False)
    assert fig.axes[0].get_title().endswith("simulated \u00f7 0.05 agents per person")


def test_bad_interval(pair):
    with pytest.raises(ValueError, match="interval"):
        difference_table(*pair, interval="bootstrap")


def test_t_quantiles_with_and_without_scipy(monkeypatch):
    df = np.array([1, 2, 3, 10, 30, 120, np.nan, 0.5])
    with_scipy = _t975(df)
    expected = [12.706205, 4.302653, 3.182446, 2.228139, 2.042272, 1.979930]
    np.testing.assert_allclose(with_scipy[:6], expected, rtol=1e-6)
    assert np.isnan(with_scipy[6:]).all()
    monkeypatch.setitem(sys.modules, "scipy.stats", None)     # import fails: the table
    table = _t975(np.array([2, 2.5, 30, 35, 5000, np.nan]))
    np.testing.assert_allclose(table[:5], [4.302653, 4.302653, 2.042272, 2.042272, 1.959964])
    assert np.isnan(table[5])
    np.testing.assert_allclose(_t975(df[:6]), with_scipy[:6], rtol=1e-6)


def test_plot_difference_by(scenario_runs, counterfactual_runs, tmp_path):
    for by in ("nationality", "sector"):
        fig = plot_difference_by(scenario_runs, counterfactual_runs, tmp_path / f"{by}.png",
                                 by=by, labels=("as configured", "Honduras halved"))
        check_png(tmp_path / f"{by}.png")
        ax = fig.axes[0]
        assert ax.get_xlabel() == "as configured - Honduras halved: persons over the run"
        assert "error bars: 95% Student's t intervals across seeds" in ax.get_title()
        assert len(ax.patches) == (2 if by == "nationality" else len(ax.get_yticks()))
    fig = plot_difference_by(scenario_runs[0], counterfactual_runs[0], tmp_path / "one.png")
    check_png(tmp_path / "one.png")
    assert "no interval across seeds" in fig.axes[0].get_title()


# -- scripts/counterfactual ---------------------------------------------------------------

def cli(*args):
    return subprocess.run([sys.executable, str(CLI), *map(str, args)], capture_output=True,
                          text=True)


def test_cli_analyse_only(scenario_runs, counterfactual_runs, tmp_path):
    """The analysis of existing pairs (seeds 1 and 2 of the demo, Honduran departures
    halved in the counterfactual): the CSVs are difference_table's, the plots exist."""
    for side, runs in (("scenario", scenario_runs), ("counterfactual", counterfactual_runs)):
        for s, path in zip((1, 2), runs):
            shutil.copyfile(path, tmp_path / f"{side}_seed{s}.h5")
    done = cli("--package", "halve-honduras", "--analyse-only", "-o", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Effect of package halve-honduras" in done.stdout
    assert "2 seeds: 1, 2" in done.stdout
    month = pd.read_csv(tmp_path / "difference_by_month.csv", parse_dates=["month"])
    expected = difference_table(scenario_runs, counterfactual_runs, complete=False,
                                interval="t")
    pd.testing.assert_frame_equal(month, expected, check_dtype=False)
    nat = pd.read_csv(tmp_path / "difference_by_nationality.csv")
    assert list(nat["nationality"]) == ["VENEZUELA", "HONDURAS"]
    assert nat["difference"].iloc[1] > 0          # more Hondurans with the full rate
    seeds = pd.read_csv(tmp_path / "difference_by_seed.csv")
    assert list(seeds.columns) == ["seed", "scenario", "counterfactual", "difference"]
    assert seeds["difference"].mean() == pytest.approx(month["difference"].sum())
    for key in ("month", "sector", "nationality"):
        check_png(tmp_path / f"difference_by_{key}.png")


def test_cli_usage_errors(tmp_path):
    scenario = REPO / "tests" / "data" / "policy" / "counterfactual.yaml"
    demo = REPO / "configs" / "demo.yaml"
    cases = [
        ((scenario, "-o", tmp_path), 64, "required: --package"),
        (("--package", "x", "-o", tmp_path), 64, "give SCENARIO.yaml"),
        ((scenario, "--package", "nope", "-o", tmp_path), 64,
         'no package "nope" (its packages are halve-caracas, late-closure)'),
        ((demo, "--package", "x", "-o", tmp_path), 64, "it has no packages: section"),
        ((scenario, "--package", "late-closure", "-o", tmp_path, "--set",
          "packages[late-closure].enabled=false"), 64, "is switched off"),
        ((scenario, "--package", "a b", "-o", tmp_path), 64, "letters, digits"),
        ((scenario, "--package", "x", "--seeds", "0", "-o", tmp_path), 64, "at least 1"),
        ((scenario, "--package", "x", "--seed-list", "1", "1", "-o", tmp_path), 64,
         "repeated"),
        ((scenario, "--package", "x", "--set", "days", "-o", tmp_path), 64, "KEY=VALUE"),
        ((tmp_path / "none.yaml", "--package", "x", "-o", tmp_path), 66,
         "no such scenario file"),
        (("--package", "x", "--analyse-only", "-o", tmp_path / "empty"), 66, "no pairs"),
        (("--package", "x", "--analyse-only", "--seeds", "2", "-o", tmp_path), 66,
         "missing runs"),
        ((scenario, "--package", "halve-caracas", "--migsim", tmp_path / "nothing",
          "-o", tmp_path), 69, "not an executable file"),
    ]
    for args, status, message in cases:
        done = cli(*args)
        assert done.returncode == status, (args, done.returncode, done.stderr)
        assert message in done.stderr, (args, done.stderr)


def test_cli_passes_migsim_errors_through(tmp_path):
    """A failing migsim: its exit status and its own message come through."""
    fake = tmp_path / "migsim"
    fake.write_text("#!/bin/sh\necho 'migsim: s.yaml:3:1: bad thing' >&2\nexit 78\n")
    fake.chmod(0o755)
    scenario = REPO / "tests" / "data" / "policy" / "counterfactual.yaml"
    done = cli(scenario, "--package", "halve-caracas", "--migsim", fake, "-o", tmp_path / "o")
    assert done.returncode == 78
    assert "migsim: s.yaml:3:1: bad thing" in done.stderr
    assert "checking the scenario failed: migsim exited 78" in done.stderr
