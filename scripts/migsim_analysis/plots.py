"""Plots of a migsim run, each written as a PNG with matplotlib's Agg renderer.

The figures are built with matplotlib.figure.Figure and an Agg canvas, not with pyplot:
they work on machines without a display, leave no open pyplot figures behind, and do not
change the backend of a notebook (show a saved PNG inline with
IPython.display.Image(filename=path)). Every plot_* function returns the PNG's path (str).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, MonthLocator
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from .io import as_dataset
from .tables import (RUN, _default_how, _half_width, _variable, difference_table,
                     monthly)

MODE_COLOURS = {"foot": "#d95f02", "boat": "#1f78b4", "bus": "#33a02c",
                "rail": "#6a3d9a", "air": "#e7298a"}
KIND_STYLE = {  # marker, face colour
    "origin": ("o", "#fdae61"),
    "town": ("o", "#ffffff"),
    "camp": ("^", "#a6d96a"),
    "border": ("s", "#bdbdbd"),
    "destination": ("*", "#d7191c"),
}


def _figure(figsize):
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path, dpi):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, format="png")
    return str(path)


def _run_label(ds, default):
    seed = ds.attrs.get("migsim_seed")
    title = ds.attrs.get("title", default)
    return f"{title} (seed {seed})" if seed is not None else title


def _runs_first(x):
    return as_dataset(x[0] if isinstance(x, (list, tuple)) else x)


def _named_runs(runs):
    """A Dataset, path, list or dict of them -> list of (label, Dataset)."""
    if isinstance(runs, dict):
        return [(str(k), as_dataset(v)) for k, v in runs.items()]
    if isinstance(runs, (list, tuple)):
        out = [as_dataset(r) for r in runs]
        return [(_run_label(d, f"run {i + 1}"), d) for i, d in enumerate(out)]
    ds = as_dataset(runs)
    return [(_run_label(ds, "run"), ds)]


def _date_axis(ax, periods):
    """Month ticks (every month up to two years, then quarters) with concise labels."""
    periods = pd.DatetimeIndex(periods)
    months = 0 if len(periods) == 0 else \
        (periods.max().year - periods.min().year) * 12 + periods.max().month - periods.min().month
    if months <= 24:
        locator = MonthLocator()
    elif months <= 72:
        locator = MonthLocator(bymonth=(1, 4, 7, 10))
    else:
        locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _thousands(ax):
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def _ylabel(ds, variable, words):
    units = "" if variable == "encounters" else str(ds[variable].attrs.get("units", ""))
    if variable == "encounters" or "day-1" in units:
        return f"persons per {words}"
    return f"persons (mean over the {words})"


def _period_words(freq):
    return {"MS": "month", "QS": "quarter", "AS": "year", "YS": "year", "D": "day"}.get(
        freq, f"period ({freq})")


# ---------------------------------------------------------------------------------------

def plot_corridor_map(run, path, title=None, labels="auto", max_linewidth=8.0,
                      figsize=None, dpi=120):
    """The corridor as a map: places at their lat/lon, links as straight lines whose width
    is proportional to the persons who set off along them over the whole run, coloured by
    mode; places marked by kind, with an area that grows with the persons who arrived at
    or started from them (square root scale). Links nobody used are
    thin dotted grey lines. No coastlines (no map library needed): the axes are longitude
    and latitude, with the aspect ratio of the mid latitude.

    run: Dataset or path. labels: "auto" (every place when there are at most 40, else
    the 25 busiest), "all", "none", or a list of place names.
    """
    ds = as_dataset(run)
    names = [str(p) for p in ds["place"].values]
    lat = dict(zip(names, ds["place_lat"].values.astype(float)))
    lon = dict(zip(names, ds["place_lon"].values.astype(float)))
    kinds = np.asarray(ds["place_kind"].values).astype(str)
    flows = ds["flow"].astype("int64").sum("time").values
    fmax = max(int(flows.max()), 1)

    lons, lats = np.array(list(lon.values())), np.array(list(lat.values()))
    pad = 1.0
    x0, x1 = lons.min() - pad, lons.max() + pad
    y0, y1 = lats.min() - pad, lats.max() + pad
    aspect = 1.0 / np.cos(np.deg2rad(0.5 * (y0 + y1)))
    if figsize is None:         # 9 inches wide, as tall as the map needs (3 to 11 in)
        figsize = (9, float(np.clip(9 * aspect * (y1 - y0) / (x1 - x0) + 1.2, 3, 11)))
    fig = _figure(figsize)
    ax = fig.add_subplot()
    segments, widths, colours, styles = [], [], [], []
    for f, a, b, mode in zip(flows, ds["link_from"].values, ds["link_to"].values,
                             ds["link_mode"].values):
        segments.append([(lon[str(a)], lat[str(a)]), (lon[str(b)], lat[str(b)])])
        if f > 0:
            widths.append(0.5 + (max_linewidth - 0.5) * f / fmax)
            colours.append(MODE_COLOURS.get(str(mode), "#444444"))
            styles.append("solid")
        else:
            widths.append(0.6)
            colours.append("#9e9e9e")
            styles.append("dotted")
    order = np.argsort(widths)[::-1]            # thick lines below thin ones
    ax.add_collection(LineCollection([segments[i] for i in order],
                                     linewidths=[widths[i] for i in order],
                                     colors=[colours[i] for i in order],
                                     linestyles=[styles[i] for i in order],
                                     capstyle="round", alpha=0.85, zorder=1))

    # Marker area ~ persons who arrived at or started from the place over the run, a
    # measure that means the same at origins, transit places and destinations.
    through = (ds["arrivals"].astype("int64").sum(["time", "nationality"])
               + ds["spawned"].astype("int64").sum(["time", "nationality"])).values
    top = max(int(through.max()), 1)
    size = 20 + 230 * np.sqrt(through / top)
    for kind, (marker, face) in KIND_STYLE.items():
        sel = np.flatnonzero(kinds == kind)
        if len(sel) == 0:
            continue
        ax.scatter([lon[names[i]] for i in sel], [lat[names[i]] for i in sel],
                   s=size[sel] * (2.5 if marker == "*" else 1), marker=marker,
                   facecolor=face, edgecolor="black", linewidth=0.7, zorder=3, label=kind)

    if isinstance(labels, str):
        if labels == "none":
            shown = []
        elif labels == "all" or (labels == "auto" and len(names) <= 40):
            shown = names
        elif labels == "auto":
            shown = [names[i] for i in np.argsort(through)[::-1][:25]]
        else:
            raise ValueError(f"labels: expected 'auto', 'all', 'none' or a list, got {labels!r}")
    else:
        shown = list(labels)
    # Destinations sit a few km from their border city: label them above, borders below.
    offset = {"destination": ((5, 5), "left"), "border": ((5, -10), "left"),
              "origin": ((-6, -11), "right")}
    kind_of = dict(zip(names, kinds))
    for name in shown:
        xy, ha = offset.get(kind_of.get(name), ((5, 3), "left"))
        ax.annotate(name, (lon[name], lat[name]), xytext=xy, textcoords="offset points",
                    ha=ha, fontsize=7, zorder=4)

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect)
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.grid(True, linewidth=0.3, alpha=0.5)

    modes_used = [m for m in MODE_COLOURS if m in set(map(str, ds["link_mode"].values))]
    handles = [Line2D([], [], color=MODE_COLOURS[m], linewidth=3, label=m) for m in modes_used]
    for frac in (1.0, 0.5, 0.1):
        handles.append(Line2D([], [], color="black",
                              linewidth=0.5 + (max_linewidth - 0.5) * frac,
                              label=f"{round(fmax * frac):,} persons"))
    handles.append(Line2D([], [], color="#9e9e9e", linestyle="dotted", label="unused"))
    first = ax.legend(handles=handles, title="links (width = flow)", loc="lower left",
                      fontsize=7, title_fontsize=8, framealpha=0.9)
    ax.add_artist(first)
    ax.legend(title="places (size = arrived or started)", loc="upper right", fontsize=7,
              title_fontsize=8, markerscale=0.6, framealpha=0.9)
    t0 = pd.Timestamp(ds["time"].values[0]).date()
    t1 = pd.Timestamp(ds["time"].values[-1]).date()
    ax.set_title(title or f"{ds.attrs.get('title', 'migsim')}: persons along each link, "
                          f"{t0} to {t1}", fontsize=10)
    return _save(fig, path, dpi)


def plot_monthly(runs, path, variable="encounters", by=None, observed=None,
                 observed_label="observed", secondary_axis=False, clip_observed=True,
                 freq="MS", complete=True, title=None, ylabel=None, figsize=(9, 4.5),
                 dpi=120):
    """Monthly time series of one or more runs, with observed data overlaid.

    runs:     a Dataset or path, a list of them, or a dict {label: Dataset or path}.
    variable: "encounters" (default) or any data variable with a time dimension; see
              monthly() for how days are aggregated.
    by:       None (total) or a dimension ("nationality", "place"): one line per label.
    observed: a pandas Series (one line) or DataFrame (one line per column) indexed by
              month, e.g. from load_observed_monthly(). When `by` is given, an observed
              column with the same name as a simulated label gets its colour. It is cut
              to the simulated months unless clip_observed=False.
    secondary_axis: draw observed values on a right-hand axis (for a run whose scale
              differs from the data's, e.g. the demo scenario).
    complete: leave out the partial months at either end of a run (a sum over part of a
              month is not comparable with a monthly total).
    """
    named = _named_runs(runs)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    colours = {}
    palette = [f"C{i}" for i in range(10)]
    styles = ["-", "--", ":", "-."]
    first_month = last_month = None
    for r, (label, ds) in enumerate(named):
        m = monthly(ds, variable, by=by, freq=freq, complete=complete)
        frame = m.to_frame(label) if isinstance(m, pd.Series) else m
        for col in frame.columns:
            key = col if by is not None else label
            colour = colours.setdefault(key, palette[len(colours) % len(palette)])
            name = f"{col}" if len(named) == 1 else (f"{label}: {col}" if by else label)
            ax.plot(frame.index, frame[col].to_numpy(), styles[r % len(styles)],
                    marker="o", color=colour, label=name)
        if len(frame.index):
            lo, hi = frame.index.min(), frame.index.max()
            first_month = lo if first_month is None else min(first_month, lo)
            last_month = hi if last_month is None else max(last_month, hi)

    ax_obs = ax.twinx() if (observed is not None and secondary_axis) else ax
    if observed is not None:
        obs = observed.to_frame(observed.name or observed_label) \
            if isinstance(observed, pd.Series) else observed
        obs = obs.copy()
        obs.index = pd.DatetimeIndex(obs.index)
        if clip_observed and first_month is not None:
            obs = obs.loc[(obs.index >= first_month) & (obs.index <= last_month)]
        for col in obs.columns:
            colour = colours.get(str(col), "black")
            ax_obs.plot(obs.index, obs[col].to_numpy(), linestyle="--", marker="s",
                        markerfacecolor="white", color=colour,
                        label=f"{observed_label}: {col}" if obs.shape[1] > 1 or by
                        else observed_label)
        if secondary_axis:
            ax_obs.set_ylabel(f"{observed_label} (right axis)")
            ax_obs.set_ylim(bottom=0)

    words = _period_words(freq)
    ax.set_ylabel(ylabel or _ylabel(named[0][1], variable, words))
    ax.set_ylim(bottom=0)
    _thousands(ax)
    if ax_obs is not ax:
        _thousands(ax_obs)
    _date_axis(ax, [] if first_month is None else [first_month, last_month])
    ax.grid(True, linewidth=0.3, alpha=0.5)
    handles, names = ax.get_legend_handles_labels()
    if ax_obs is not ax:
        h2, n2 = ax_obs.get_legend_handles_labels()
        handles, names = handles + h2, names + n2
    ax.legend(handles, names, fontsize=8, loc="best")
    what = "simulated " + variable + (f" by {by}" if by else "")
    ax.set_title(title or f"{what} per {words}"
                 + (" (complete months only)" if complete and freq == "MS" else ""),
                 fontsize=10)
    return _save(fig, path, dpi)


def plot_difference(scenario, counterfactual, path, variable="encounters", freq="MS",
                    complete=True, labels=("scenario", "counterfactual"), title=None,
                    interval="normal", figsize=(9, 6), dpi=120):
    """Scenario against counterfactual, per month: the two series (top) and their
    difference, scenario minus counterfactual (bottom).

    scenario, counterfactual: a Dataset or path, or lists of them (one run per seed).
    With several seeds the lines are means over seeds and the bands are 95% intervals,
    mean -+ 1.96 sd / sqrt(n) (interval="normal") or mean -+ t_{0.975, n-1} sd / sqrt(n)
    (interval="t"); the difference band is paired when both lists use the same seeds
    (see difference_table(), which returns the numbers drawn here).
    """
    table = difference_table(scenario, counterfactual, variable=variable, freq=freq,
                             complete=complete, interval=interval)
    x = pd.DatetimeIndex(table.iloc[:, 0])
    fig = _figure(figsize)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    for col, label, colour in (("scenario", labels[0], "C0"),
                               ("counterfactual", labels[1], "C1")):
        n = int(table[f"n_{col}"].iloc[0])
        top.plot(x, table[col], marker="o", color=colour,
                 label=f"{label} (mean of {n} runs)" if n > 1 else label)
        half = _half_width(table[f"{col}_se"].to_numpy(), n - 1, interval)
        if np.isfinite(half).all():
            top.fill_between(x, table[col] - half, table[col] + half,
                             color=colour, alpha=0.2, linewidth=0)
    words = _period_words(freq)
    top.set_ylabel(_ylabel(_runs_first(scenario), variable, words))
    top.set_ylim(bottom=0)
    top.legend(fontsize=8)
    top.grid(True, linewidth=0.3, alpha=0.5)

    bottom.axhline(0, color="black", linewidth=0.8)
    bottom.plot(x, table["difference"], marker="o", color="C3",
                label=f"{labels[0]} - {labels[1]}")
    if np.isfinite(table["se"].to_numpy()).all():
        kind = "paired" if bool(table["paired"].iloc[0]) else "unpaired"
        bottom.fill_between(x, table["lower"], table["upper"], color="C3", alpha=0.2,
                            linewidth=0, label=f"95% band across seeds ({kind}"
                                               + (", t)" if interval == "t" else ")"))
    bottom.set_ylabel("difference")
    bottom.legend(fontsize=8)
    bottom.grid(True, linewidth=0.3, alpha=0.5)
    _thousands(top)
    _thousands(bottom)
    _date_axis(bottom, x)
    top.set_title(title or f"{variable} per {words}: {labels[0]} vs {labels[1]}", fontsize=10)
    return _save(fig, path, dpi)


def plot_difference_by(scenario, counterfactual, path, by="nationality",
                       variable="encounters", labels=("scenario", "counterfactual"),
                       title=None, interval="t", figsize=None, dpi=120):
    """Scenario minus counterfactual over the whole run, one horizontal bar per label of
    `by` ("nationality", "sector"/"place", "link"), with 95% error bars across seeds.

    scenario, counterfactual: a Dataset or path, or lists of them (one run per seed).
    The numbers are difference_table(..., freq="run", by=by, interval=interval): bars
    are the mean difference (persons over the run for flows such as encounters; the mean
    over the run for stocks), error bars run from lower to upper (Student's t by default;
    none with a single run per side). Red bars: the scenario has more; blue: fewer.
    """
    table = difference_table(scenario, counterfactual, variable=variable, freq=RUN, by=by,
                             interval=interval)
    names = table[by].astype(str).tolist()
    diff = table["difference"].to_numpy()
    y = np.arange(len(names))
    fig = _figure(figsize or (8, max(3.5, 1.5 + 0.45 * len(names))))
    ax = fig.add_subplot()
    ax.barh(y, diff, color=np.where(diff >= 0, "#d6604d", "#4393c3"), alpha=0.85,
            height=0.6)
    n = int(table["n_scenario"].iloc[0])
    if np.isfinite(table["se"].to_numpy()).all():
        kind = "paired" if bool(table["paired"].iloc[0]) else "unpaired"
        ax.errorbar(diff, y, xerr=[diff - table["lower"], table["upper"] - diff],
                    fmt="none", ecolor="black", elinewidth=1, capsize=4,
                    label=f"95% interval across {n} seeds ({kind}"
                          + (", t)" if interval == "t" else ")"))
        ax.legend(fontsize=8, loc="best")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    stock = _default_how(_variable(_runs_first(scenario), variable)) == "mean"
    ax.set_xlabel(f"{labels[0]} - {labels[1]}: "
                  + ("persons (mean over the run)" if stock else "persons over the run"))
    ax.set_ylabel(by)
    ax.grid(True, axis="x", linewidth=0.3, alpha=0.5)
    ax.set_title(title or f"{variable} by {by}, whole run: {labels[0]} - {labels[1]}"
                 + (f" (mean of {n} seeds)" if n > 1 else ""), fontsize=10)
    return _save(fig, path, dpi)

