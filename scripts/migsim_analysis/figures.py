# SPDX-License-Identifier: GPL-3.0-or-later
"""What every plot of the kit shares, public for scripts that draw their own figures in the
kit's style (scripts/counterfactual's dose-response plot does):

    from migsim_analysis.figures import figure, save, thousands
    fig = figure((8, 5))             # an Agg Figure that pyplot never sees
    ax = fig.subplots()
    ...
    thousands(ax.yaxis)              # 12,345
    save(fig, ["r.png", "r.svg"])    # format from the suffix: .png, .svg or .pdf

Also: date_axis (month ticks), units_label and run_units (axis labels in the units the run
stores), interval_note (the sentence about intervals every plot carries), SERIES_COLOURS,
OTHERS_COLOUR and ALL_OTHERS (eight distinct colours and grey for "all others").
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import (AutoDateLocator, ConciseDateFormatter, MonthLocator,
                              YearLocator)
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

# Eight distinct colours for the eight largest series (matplotlib's tab10 without its grey
# and olive) and grey for "all others": no two series share a colour.
SERIES_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                  "#e377c2", "#17becf"]
OTHERS_COLOUR = "#7f7f7f"
ALL_OTHERS = "all others"

FORMATS = ("png", "svg", "pdf")

__all__ = ["figure", "save", "thousands", "date_axis", "units_label", "run_units",
           "interval_note", "period_words", "SERIES_COLOURS", "OTHERS_COLOUR", "ALL_OTHERS",
           "FORMATS"]


def figure(figsize):
    """A Figure with an Agg canvas and constrained layout; pyplot never sees it."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig, path, dpi=150):
    """Write fig to path, or to each path of a list, in the format its suffix names
    (.png, .svg or .pdf) at dpi dots per inch; folders are created. Returns the list of
    paths written (also kept in fig.migsim_paths)."""
    paths = list(path) if isinstance(path, (list, tuple)) else [path]
    written = []
    for p in paths:
        p = Path(p)
        fmt = p.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise ValueError(f"{p}: cannot tell the format from the suffix; use one of "
                             + ", ".join("." + f for f in FORMATS))
        p.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(p, dpi=dpi, format=fmt)
        written.append(str(p))
    fig.migsim_paths = written
    return written


def period_words(freq):
    """The word for a pandas period frequency: "MS" -> "month"."""
    return {"MS": "month", "QS": "quarter", "AS": "year", "YS": "year", "D": "day"}.get(
        freq, f"period ({freq})")


def units_label(da, words):
    """The axis label of a variable aggregated per period, in the units the file stores:
    a daily flow ("events day-1", "persons day-1") is summed ("events per month"), a
    stock ("persons") averaged ("persons (mean over the month)")."""
    units = str(da.attrs.get("units", "")).strip() or "count"
    if units.endswith("day-1"):
        return f"{units[:-len('day-1')].strip() or 'count'} per {words}"
    return f"{units} (mean over the {words})"


def run_units(da):
    """What one run's total of a variable counts: "events" for "events day-1"."""
    units = str(da.attrs.get("units", "")).strip()
    return units[:-len("day-1")].strip() if units.endswith("day-1") else units


def interval_note(counts, interval="t", what="bands"):
    """The sentence every plot carries about its intervals. counts: runs (seeds) behind
    each plotted mean; interval: "t" (Student's t, the kit's convention) or "normal"."""
    counts = sorted(set(int(n) for n in counts))
    if not counts or counts[-1] <= 1:
        return "one run per series: no interval across seeds"
    n = counts[0] if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    if interval == "normal":
        return f"{what}: 95% normal intervals across seeds, mean \u00b1 1.96 se, n = {n}"
    return (f"{what}: 95% Student's t intervals across seeds, mean \u00b1 "
            f"t(0.975, df) se, n = {n}")


def date_axis(ax, periods, narrow=False):
    """Month ticks (every month up to two years, then quarters; years in a narrow
    panel of more than a year) with concise labels."""
    periods = pd.DatetimeIndex(periods)
    months = 0 if len(periods) == 0 else \
        (periods.max().year - periods.min().year) * 12 + periods.max().month - periods.min().month
    if narrow and months > 12:
        locator = YearLocator()
    elif months <= 24:
        locator = MonthLocator()
    elif months <= 72:
        locator = MonthLocator(bymonth=(1, 4, 7, 10))
    else:
        locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def thousands(axis):
    """Label the ticks of axis (ax.xaxis or ax.yaxis) as whole numbers with thousands
    separators: 12,345."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
