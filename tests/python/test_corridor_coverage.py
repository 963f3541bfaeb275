# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/corridor_coverage.py's one-step-ahead model error (--one-step): the root mean square
of the errors of carrying each fiscal year's figures to the next, on numbers whose errors are
known: each pair of consecutive years only, no mean subtracted."""
import numpy as np
import pandas as pd
import pytest

import corridor_coverage as cov


def test_one_step_sigma_of_known_drifts():
    months = [np.array([0.1, 0.3]), np.array([0.5, -0.1]), np.array([0.2, 0.2])]
    top = [["A"], ["A", "B"], ["B"]]
    nat = [pd.Series({"A": 0.1, "B": 0.0}), pd.Series({"A": 0.4, "B": -0.4}), pd.Series({"A": 9.0, "B": -0.2})]
    sec = [pd.Series({"S1": 50.0, "S2": 50.0}), pd.Series({"S1": 53.0, "S2": 47.0}),
           pd.Series({"S2": 47.0, "S1": 53.0})]
    s = cov.one_step_sigma(months, top, nat, sec)
    # months: year 2 minus year 1's mean 0.2 -> 0.3, -0.3; year 3 minus year 2's mean 0.2 -> 0, 0
    assert s["month"] == pytest.approx(np.sqrt((0.09 + 0.09) / 4), abs=1e-15)
    # citizenships: A 0.3, B -0.4 (year 2's top), then B 0.2 (year 3's top); A's 9.0 is not in it
    assert s["citizenship"] == pytest.approx(np.sqrt((0.09 + 0.16 + 0.04) / 3), abs=1e-15)
    # sectors matched by name, not position: 3, -3, then 0, 0
    assert s["sector"] == pytest.approx(np.sqrt(18 / 4), abs=1e-15)


def test_one_step_needs_two_fiscal_years():
    with pytest.raises(ValueError, match="at least two whole fiscal years"):
        cov.one_step_sigma([np.array([0.1])], [["A"]], [pd.Series({"A": 0.0})], [pd.Series({"S": 1.0})])


def test_one_step_and_model_error_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as e:
        cov.main(["r.h5", "--window", "2022-10/2023-09", "--model-error", "2020-10/2022-09",
                  "--one-step", "2020-10/2022-09"])
    assert e.value.code == 2
    assert "--model-error and --one-step are two readings of the model error: give one" in capsys.readouterr().err


def test_fiscal_years_of_a_window():
    months, fys = cov.fiscal_years("2020-09/2022-10")
    assert len(months) == 26
    assert [(str(f[0]), str(f[-1])) for f in fys] == [("2020-10", "2021-09"), ("2021-10", "2022-09")]


def test_binomial_check_of_known_counts():
    # 11 of 12 months inside 80 % intervals: P(X >= 11) + the as-likely lower tail, exact
    p, lo, hi = cov.binomial_check(11, 12, 80)
    assert p == pytest.approx(0.480308957184, abs=1e-12)
    assert (lo, hi) == (7, 12)
    # 6 of 10 citizenships at 80 %: not rejected; 1 of 9 sectors is
    assert cov.binomial_check(6, 10, 80)[1:] == (6, 10)
    assert cov.binomial_check(1, 9, 80)[0] < 1e-4
    assert cov.binomial_check(2, 9, 95)[1:] == (7, 9)


def test_summary_counts_and_binomial_fields():
    rows = [{"inside80": i < 11, "width80": 0.5} for i in range(12)]
    s = cov.summary(rows, [80])[80]
    assert (s["inside"], s["n"], s["consistent_counts"]) == (11, 12, [7, 12])
    assert s["coverage"] == pytest.approx(11 / 12)
