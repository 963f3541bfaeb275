# SPDX-License-Identifier: GPL-3.0-or-later
"""Plots of migsim runs for a paper: PNG, SVG or PDF (by the path's suffix) with
matplotlib's Agg renderer.

The figures are built with matplotlib.figure.Figure and an Agg canvas, not with pyplot:
they work on machines without a display, leave no open pyplot figures behind, and do not
change the backend of a notebook (show a saved PNG inline with
IPython.display.Image(filename=path)). Every plot_* function writes to `path` (or to
each path of a list, e.g. ["fig.png", "fig.svg"]) and returns the Figure.

Conventions on every plot:
- values in the units the file stores (the variable's units attribute): encounters are
  events ("events per month"), not persons; flows are summed over a period, stocks
  averaged;
- several runs of one scenario (one per seed) are drawn as their mean with a 95%
  Student's t interval across seeds, mean +- t_{0.975, n-1} sd / sqrt(n), as
  difference_table() and scripts/counterfactual compute it; the plot says so, or that a
  single run has no interval;
- observed and simulated share one axis;
- series by nationality (or place) are the eight largest plus "all others", each in its
  own colour, on one axis or as small multiples.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from .figures import (ALL_OTHERS, OTHERS_COLOUR, SERIES_COLOURS, date_axis, figure,
                       interval_note, period_words, run_units, save, thousands,
                       units_label)
from .io import agents_per_person, as_dataset
from .maps import plot_corridor_map  # noqa: F401  (part of this module's interface)
from .tables import RUN, _variable, difference_table, half_width, monthly

SCENARIO_STYLES = ["-", "--", "-.", ":"]


def _runs_first(x):
    return as_dataset(x[0] if isinstance(x, (list, tuple)) else x)


def _scenarios(runs):
    """A Dataset or path (one run), a list of them (the seeds of one scenario) or a dict
    {label: run or list of seeds} -> [(label, [Dataset, ...])]."""
    if isinstance(runs, dict):
        items = runs.items()
    else:
        first = _runs_first(runs)
        items = [(str(first.attrs.get("title", "simulated")), runs)]
    out = []
    for label, value in items:
        seeds = value if isinstance(value, (list, tuple)) else [value]
        if not seeds:
            raise ValueError(f"{label}: an empty list of runs")
        out.append((str(label), [as_dataset(r) for r in seeds]))
    return out


def _grouped(frame, keep):
    """Columns `keep` in that order, the others summed into ALL_OTHERS (when any)."""
    rest = [c for c in frame.columns if c not in keep]
    out = frame.reindex(columns=keep, fill_value=0)
    if rest:
        out[ALL_OTHERS] = frame[rest].sum(axis=1)
    return out


def _top(frames, top):
    """The `top` largest columns over the runs' frames (None: every column)."""
    total = sum(f.sum() for f in frames)
    order = total.sort_values(ascending=False, kind="stable").index.tolist()
    return order if top is None or len(order) <= top + 1 else order[:top]


def _mean_and_half(frames):
    """Mean over runs and the half-width of the 95% Student's t interval across them."""
    index = frames[0].index
    for f in frames[1:]:
        index = index.intersection(f.index)
    cube = np.stack([f.loc[index].to_numpy(float) for f in frames])
    n = len(frames)
    mean = pd.DataFrame(cube.mean(axis=0), index=index, columns=frames[0].columns)
    if n == 1:
        return mean, mean * np.nan, n
    se = cube.std(axis=0, ddof=1) / math.sqrt(n)
    half = pd.DataFrame(half_width(se, n - 1, "t"), index=index, columns=mean.columns)
    return mean, half, n


def _simulated(scenarios, variable, by, freq, complete, top, scale):
    """[(label, mean, half, n)] with the same columns for every scenario, divided by
    scale (agents per person)."""
    per = [(label, [monthly(d, variable, by=by, freq=freq, complete=complete) / scale
                    for d in dss]) for label, dss in scenarios]
    if by is None:
        per = [(label, [m.to_frame(label) for m in ms]) for label, ms in per]
        return [(label, *_mean_and_half(ms)) for label, ms in per]
    keep = _top(per[0][1], top)
    return [(label, *_mean_and_half([_grouped(m, keep) for m in ms])) for label, ms in per]


def _observed(observed, columns, by, observed_label, months, clip):
    """Observed data as a DataFrame whose columns are the simulated series they match:
    with `by`, a column named like a series goes with it and the others are summed into
    ALL_OTHERS (when the simulated series have one); without, every column stands alone."""
    if observed is None:
        return None
    obs = observed.to_frame(observed.name or observed_label) \
        if isinstance(observed, pd.Series) else observed.copy()
    obs.index = pd.DatetimeIndex(obs.index)
    obs.columns = [str(c) for c in obs.columns]
    if clip and len(months):
        obs = obs.loc[(obs.index >= months.min()) & (obs.index <= months.max())]
    if by is None:
        return obs
    matched = [c for c in columns if c in obs.columns]
    rest = [c for c in obs.columns if c not in columns]
    out = obs[matched].copy()
    if rest and ALL_OTHERS in columns:
        out[ALL_OTHERS] = obs[rest].sum(axis=1)
    elif rest:
        raise ValueError(f"observed columns {rest} match no simulated {by}")
    return out


def _colour(columns, col, by):
    if by is None:
        return SERIES_COLOURS[list(columns).index(col) % len(SERIES_COLOURS)]
    return OTHERS_COLOUR if col == ALL_OTHERS else \
        SERIES_COLOURS[list(columns).index(col) % len(SERIES_COLOURS)]


def _draw_sim(ax, x, mean, half, colour, style, label):
    ax.plot(x, mean, linestyle=style, marker="o", markersize=3, color=colour, label=label)
    if np.isfinite(half).all():
        ax.fill_between(x, mean - half, mean + half, color=colour, alpha=0.2, linewidth=0)


def _draw_obs(ax, series, colour, label):
    ax.plot(series.index, series.to_numpy(), linestyle=(0, (4, 2)), linewidth=1.2,
            marker="s", markersize=3.5, markerfacecolor="white", color=colour, label=label)


def _finish_axis(ax, months, narrow=False):
    ax.set_ylim(bottom=0)
    thousands(ax.yaxis)
    date_axis(ax, months, narrow)
    ax.grid(True, linewidth=0.3, alpha=0.5)


def _one_axis(fig, sims, obs, by, observed_label, ylabel, months):
    ax = fig.add_subplot()
    columns = list(sims[0][1].columns)
    if by is None:
        columns = [label for label, *_ in sims]
    for r, (label, mean, half, n) in enumerate(sims):
        for col in mean.columns:
            key = label if by is None else col
            name = key if len(sims) == 1 or by is None else f"{label}: {col}"
            _draw_sim(ax, mean.index, mean[col].to_numpy(), half[col].to_numpy(),
                      _colour(columns, key, by), SCENARIO_STYLES[r % 4], name)
    if obs is not None:
        for i, col in enumerate(obs.columns):
            colour = "black" if by is None else _colour(columns, col, by)
            _draw_obs(ax, obs[col], colour if by is not None or obs.shape[1] == 1
                      else SERIES_COLOURS[(len(sims) + i) % 8],
                      f"{observed_label}: {col}" if obs.shape[1] > 1 or by
                      else observed_label)
    ax.set_ylabel(ylabel)
    _finish_axis(ax, months)
    ax.legend(fontsize=7, loc="best", ncol=2 if len(ax.get_lines()) > 6 else 1)
    return ax


def _small_multiples(fig, sims, obs, by, observed_label, ylabel, months):
    columns = list(sims[0][1].columns)
    ncols = min(3, len(columns))
    axes = fig.subplots(math.ceil(len(columns) / ncols), ncols, sharex=True,
                        squeeze=False).ravel()
    for ax, col in zip(axes, columns):
        for r, (label, mean, half, n) in enumerate(sims):
            _draw_sim(ax, mean.index, mean[col].to_numpy(), half[col].to_numpy(),
                      _colour(columns, col, by), SCENARIO_STYLES[r % 4],
                      "simulated" if len(sims) == 1 else label)
        if obs is not None and col in obs.columns:
            _draw_obs(ax, obs[col], "black", observed_label)
        ax.set_title(col, fontsize=9)
        _finish_axis(ax, months, narrow=True)
        ax.tick_params(labelsize=7)
        if len(ax.get_lines()) > 1:
            ax.legend(fontsize=6, loc="upper left")
    for ax in axes[len(columns):]:
        ax.remove()
    fig.supylabel(ylabel, fontsize=9)
    return axes[:len(columns)]


def plot_monthly(runs, path, variable="encounters", by=None, observed=None,
                 observed_label="observed", top=8, small_multiples=None, clip_observed=True,
                 scale=None, freq="MS", complete=True, title=None, ylabel=None,
                 figsize=None, dpi=150):
    """Monthly time series of simulated runs, with observed data on the same axis.

    runs:     a Dataset or path (one run); a list of them (the seeds of one scenario: drawn
              as their mean with a band, the 95% Student's t interval across seeds,
              mean +- t_{0.975, n-1} sd / sqrt(n)); or a dict {label: run or list of
              seeds} for several scenarios (line styles tell them apart).
    variable: "encounters" (default) or any data variable with a time dimension; see
              monthly() for how days are aggregated. The y axis says the units stored in
              the file: encounters are "events per month", flows "persons per month",
              stocks "persons (mean over the month)".
    by:       None (the total) or a dimension ("nationality", "place"): the `top` (8)
              largest series over the run, each in its own colour, and "all others"
              (grey), summed. top=None keeps every series (small multiples advised).
    observed: a pandas Series (one line) or DataFrame (one column per series) indexed by
              month, e.g. from load_observed_monthly(), drawn dashed with open squares on
              the same axis as the simulated values (no secondary axis: they share one
              scale). With `by`, a column named like a series is drawn with it and the
              other columns are added up into "all others". Cut to the simulated months
              unless clip_observed=False.
    small_multiples: one panel per series (simulated and observed together, each panel
              its own y scale); default: when `by` and `observed` are both given.
    scale:    agents per person of the runs (the corridor's corridor.scale): simulated
              values are divided by it to compare with observed counts; the title
              says so when it is not 1. None (default): the first run's
              agents_per_person, as its provenance records it.
    complete: leave out the partial months at either end of a run (a sum over part of a
              month is not comparable with a monthly total).
    Returns the Figure; the title's second line states the interval convention.
    """
    scenarios = _scenarios(runs)
    if scale is None:
        scale = agents_per_person(scenarios[0][1][0])
    sims = _simulated(scenarios, variable, by, freq, complete, top, float(scale))
    months = pd.DatetimeIndex(sims[0][1].index)
    obs = _observed(observed, list(sims[0][1].columns), by, observed_label, months,
                    clip_observed)
    words = period_words(freq)
    ylabel = ylabel or units_label(_variable(scenarios[0][1][0], variable), words)
    if small_multiples is None:
        small_multiples = by is not None and observed is not None
    k = len(sims[0][1].columns)
    if figsize is None:
        figsize = (10, 2.3 * math.ceil(k / 3) + 0.8) if small_multiples and by else (9, 4.8)
    fig = figure(figsize)
    draw = _small_multiples if small_multiples and by else _one_axis
    draw(fig, sims, obs, by, observed_label, ylabel, months)
    what = f"simulated {variable}" + (f" by {by}" if by else "") + \
        (f" and {observed_label}" if observed is not None else "")
    head = title or (f"{what} per {words}"
                     + (" (complete months only)" if complete and freq == "MS" else ""))
    text = head + "\n" + interval_note([n for *_, n in sims]) + \
        (f"; simulated \u00f7 {scale:g} agents per person" if float(scale) != 1 else "")
    if draw is _one_axis:
        fig.axes[0].set_title(text, fontsize=9)
    else:
        fig.suptitle(text, fontsize=9)
    save(fig, path, dpi)
    return fig


def _per_person_note(table):
    """A last title line, "counts in persons: agents ÷ k agents per person", when a
    difference table was divided by k != 1."""
    per = float(table["agents_per_person"].iloc[0])
    return "" if per == 1 else f"\ncounts in persons: agents \u00f7 {per:g} agents per person"


def plot_difference(scenario, counterfactual, path, variable="encounters", freq="MS",
                    complete=True, labels=("scenario", "counterfactual"), title=None,
                    interval="t", scale=None, figsize=(9, 6), dpi=150):
    """Scenario against counterfactual, per month: the two series (top) and their
    difference, scenario minus counterfactual (bottom), on the y scale of the units
    stored (encounters: events per month).

    scenario, counterfactual: a Dataset or path, or lists of them (one run per seed).
    With several seeds the lines are means over seeds and the bands 95% intervals across
    seeds: Student's t by default, mean +- t_{0.975, df} se (interval="t"; df = n - 1,
    Welch-Satterthwaite for an unpaired difference), or mean +- 1.96 se
    (interval="normal"); the difference band is paired when both lists use the same
    seeds (see difference_table(), which returns the numbers drawn here). The title
    states the convention. scale: agents per person, as in difference_table (None: the
    run's own; the title says so when it is not 1). Returns the Figure.
    """
    table = difference_table(scenario, counterfactual, variable=variable, freq=freq,
                             complete=complete, interval=interval, scale=scale)
    x = pd.DatetimeIndex(table.iloc[:, 0])
    fig = figure(figsize)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    counts = []
    for col, label, colour in (("scenario", labels[0], "C0"),
                               ("counterfactual", labels[1], "C1")):
        n = int(table[f"n_{col}"].iloc[0])
        counts.append(n)
        half = half_width(table[f"{col}_se"].to_numpy(), n - 1, interval)
        _draw_sim(top, x, table[col].to_numpy(), half, colour, "-",
                  f"{label} (mean of {n} runs)" if n > 1 else label)
    words = period_words(freq)
    unit = units_label(_variable(_runs_first(scenario), variable), words)
    top.set_ylabel(unit)
    _finish_axis(top, x)
    top.legend(fontsize=8)

    bottom.axhline(0, color="black", linewidth=0.8)
    bottom.plot(x, table["difference"], marker="o", markersize=3, color="C3",
                label=f"{labels[0]} - {labels[1]}")
    if np.isfinite(table["se"].to_numpy()).all():
        kind = "paired" if bool(table["paired"].iloc[0]) else "unpaired"
        name = "Student's t" if interval == "t" else "normal"
        bottom.fill_between(x, table["lower"], table["upper"], color="C3", alpha=0.2,
                            linewidth=0, label=f"95% {name} interval across seeds ({kind})")
    bottom.set_ylabel(f"difference ({unit})")
    bottom.legend(fontsize=8)
    bottom.grid(True, linewidth=0.3, alpha=0.5)
    thousands(bottom.yaxis)
    date_axis(bottom, x)
    top.set_title((title or f"{variable} per {words}: {labels[0]} vs {labels[1]}") + "\n"
                  + interval_note(counts, interval) + _per_person_note(table), fontsize=9)
    save(fig, path, dpi)
    return fig


def plot_difference_by(scenario, counterfactual, path, by="nationality",
                       variable="encounters", labels=("scenario", "counterfactual"),
                       title=None, interval="t", scale=None, figsize=None, dpi=150):
    """Scenario minus counterfactual over the whole run, one horizontal bar per label of
    `by` ("nationality", "sector"/"place", "link"), with 95% error bars across seeds.

    scenario, counterfactual: a Dataset or path, or lists of them (one run per seed).
    The numbers are difference_table(..., freq="run", by=by, interval=interval): bars
    are the mean difference (in the units stored, summed over the run for flows such as
    encounters, events; the mean over the run for stocks), error bars run from lower to
    upper (Student's t by default, interval="normal" for 1.96 se; none with a single run
    per side, which the title says). Red bars: the scenario has more; blue: fewer.
    scale: agents per person, as in difference_table. Returns the Figure.
    """
    table = difference_table(scenario, counterfactual, variable=variable, freq=RUN, by=by,
                             interval=interval, scale=scale)
    names = table[by].astype(str).tolist()
    diff = table["difference"].to_numpy()
    y = np.arange(len(names))
    fig = figure(figsize or (8, max(3.5, 1.5 + 0.45 * len(names))))
    ax = fig.add_subplot()
    ax.barh(y, diff, color=np.where(diff >= 0, "#d6604d", "#4393c3"), alpha=0.85,
            height=0.6)
    n = int(table["n_scenario"].iloc[0])
    if np.isfinite(table["se"].to_numpy()).all():
        kind = "paired" if bool(table["paired"].iloc[0]) else "unpaired"
        name = "Student's t" if interval == "t" else "normal"
        ax.errorbar(diff, y, xerr=[diff - table["lower"], table["upper"] - diff],
                    fmt="none", ecolor="black", elinewidth=1, capsize=4,
                    label=f"95% {name} interval across {n} seeds ({kind})")
        ax.legend(fontsize=8, loc="best")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    da = _variable(_runs_first(scenario), variable)
    stock = not str(da.attrs.get("units", "")).endswith("day-1")
    ax.set_xlabel(f"{labels[0]} - {labels[1]}: " + (f"{run_units(da)} (mean over the run)"
                                                   if stock else
                                                   f"{run_units(da)} over the run"))
    ax.set_ylabel(by)
    ax.grid(True, axis="x", linewidth=0.3, alpha=0.5)
    counts = [n, int(table["n_counterfactual"].iloc[0])]
    ax.set_title((title or f"{variable} by {by}, whole run: {labels[0]} - {labels[1]}"
                  + (f" (mean of {n} seeds)" if n > 1 else "")) + "\n"
                 + interval_note(counts, interval, "error bars") + _per_person_note(table),
                 fontsize=9)
    save(fig, path, dpi)
    return fig
