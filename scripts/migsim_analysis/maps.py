# SPDX-License-Identifier: GPL-3.0-or-later
"""The corridor as a map: country borders and coastlines from Natural Earth (Debian's
python3-geopandas 0.12 ships its low-resolution countries), links whose width is the
flow along them, places by kind, labels placed so that they do not collide, and the
origins that lie far outside the frame (air-only origins in Europe or Chile) drawn as
arrows entering from the frame's edge instead of stretching the extent.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from .figures import figure, save
from .io import agents_per_person, as_dataset

MODE_COLOURS = {"foot": "#d95f02", "boat": "#1f78b4", "bus": "#33a02c",
                "rail": "#6a3d9a", "air": "#e7298a"}
KIND_STYLE = {  # marker, face colour
    "origin": ("o", "#fdae61"),
    "town": ("o", "#ffffff"),
    "camp": ("^", "#a6d96a"),
    "border": ("s", "#bdbdbd"),
    "destination": ("*", "#d7191c"),
}
# The frame of the Americas corridor (lon_min, lon_max, lat_min, lat_max): the US-Mexico
# border to the north, Venezuela to the east, Ecuador to the south.
CORRIDOR_EXTENT = (-120.0, -60.0, -5.0, 35.0)
LAND, WATER, BORDERS = "#f3f1ec", "#dbe9f4", "#8d8d8d"
# Directions tried in turn for a label, nearest first: NE, SE, NW, SW, E, W, N, S; the
# offset is the marker's radius plus 2 points along the direction.
_OFFSETS = [(1, .6, "left", "bottom"), (1, -.6, "left", "top"), (-1, .6, "right", "bottom"),
            (-1, -.6, "right", "top"), (1, 0, "left", "center"), (-1, 0, "right", "center"),
            (0, 1, "center", "bottom"), (0, -1, "center", "top")]


def _extent(ds, lon, lat, air_only):
    """The default frame: CORRIDOR_EXTENT for the corridor model, else the box around
    every place that is not an air-only origin, padded by a degree."""
    if str(ds.attrs.get("migsim_model", "")) == "corridor":
        return CORRIDOR_EXTENT
    keep = ~air_only if (~air_only).any() else np.ones(len(lon), bool)
    return (lon[keep].min() - 1, lon[keep].max() + 1, lat[keep].min() - 1, lat[keep].max() + 1)


def _inside(x, y, ext):
    return (ext[0] <= x <= ext[1]) and (ext[2] <= y <= ext[3])


def _edge_point(outside, inside, ext):
    """Where the straight segment from an outside point to an inside one crosses the
    frame (in lon/lat)."""
    (x0, y0), (x1, y1) = outside, inside
    lo, hi = 0.0, 1.0
    for _ in range(40):                     # bisection: t = 1 is inside, t = 0 outside
        mid = 0.5 * (lo + hi)
        if _inside(x0 + mid * (x1 - x0), y0 + mid * (y1 - y0), ext):
            hi = mid
        else:
            lo = mid
    return (x0 + hi * (x1 - x0), y0 + hi * (y1 - y0))


def _basemap(ax):
    """Country polygons (borders and coastlines) from Natural Earth's low-resolution
    countries; False when python3-geopandas is not installed."""
    try:
        import geopandas
    except ImportError:
        return False
    world = geopandas.read_file(geopandas.datasets.get_path("naturalearth_lowres"))
    world.plot(ax=ax, color=LAND, edgecolor=BORDERS, linewidth=0.5, zorder=0)
    return True


def _links(ds, lon, lat, ext, max_linewidth):
    """Segments (clipped to the frame), widths, colours and styles of the links, and the
    arrows for links with one end outside: (edge point, inside end, flow, mode, name,
    inward), inward True for a link from the outside place (drawn "from NAME", pointing
    into the frame), False for one to it ("to NAME", pointing out)."""
    flows = ds["flow"].astype("int64").sum("time").values
    fmax = max(int(flows.max()), 1)
    segs, widths, colours, styles, arrows = [], [], [], [], []
    for f, a, b, mode in zip(flows, ds["link_from"].values, ds["link_to"].values,
                             ds["link_mode"].values):
        a, b, mode = str(a), str(b), str(mode)
        pa, pb = (lon[a], lat[a]), (lon[b], lat[b])
        ina, inb = _inside(*pa, ext), _inside(*pb, ext)
        if not (ina or inb) or (f == 0 and not (ina and inb)):
            continue                        # wholly outside, or an unused link leaving
        if not ina:
            pa = _edge_point(pa, pb, ext)
            arrows.append((pa, pb, f, mode, a, True))
        elif not inb:
            pb = _edge_point(pb, pa, ext)
            arrows.append((pb, pa, f, mode, b, False))
        segs.append([pa, pb])
        if f > 0:
            widths.append(0.5 + (max_linewidth - 0.5) * f / fmax)
            colours.append(MODE_COLOURS.get(mode, "#444444"))
            styles.append("dashed" if mode == "air" else "solid")
        else:
            widths.append(0.6)
            colours.append("#9e9e9e")
            styles.append("dotted")
    return segs, widths, colours, styles, arrows, fmax


def _draw_links(ax, segs, widths, colours, styles, arrows, fmax, max_linewidth):
    order = np.argsort(widths)[::-1]            # thick lines below thin ones
    ax.add_collection(LineCollection([segs[i] for i in order],
                                     linewidths=[widths[i] for i in order],
                                     colors=[colours[i] for i in order],
                                     linestyles=[styles[i] for i in order],
                                     capstyle="round", alpha=0.85, zorder=1))
    named = {}
    for edge, inner, f, mode, name, inward in arrows:  # one arrowhead per link, one label
        if f <= 0:                                     # per place and direction
            continue
        lw = 0.5 + (max_linewidth - 0.5) * f / fmax
        tip = (edge[0] + 0.08 * (inner[0] - edge[0]), edge[1] + 0.08 * (inner[1] - edge[1]))
        head, tail = (tip, edge) if inward else (edge, tip)   # along the flow
        label = f"{'from' if inward else 'to'} {name}"
        ax.annotate("", xy=head, xytext=tail, zorder=2, annotation_clip=False,
                    arrowprops=dict(arrowstyle="-|>", color=MODE_COLOURS.get(mode, "#444"),
                                    lw=max(lw, 1.0), mutation_scale=10 + 2 * lw,
                                    shrinkA=0, shrinkB=0)).set_gid(label)
        if f > named.get(label, (0, None))[0]:
            named[label] = (f, edge, tip)
    return {label: (edge, tip) for label, (f, edge, tip) in named.items()}


def _draw_places(ax, ds, names, lon, lat, kinds, ext):
    """Markers by kind with an area that grows with the persons who arrived at or started
    from the place (square root scale). Returns that throughput and each marker's radius
    in points."""
    through = (ds["arrivals"].astype("int64").sum(["time", "nationality"])
               + ds["spawned"].astype("int64").sum(["time", "nationality"])).values
    top = max(int(through.max()), 1)
    size = (14 + 200 * np.sqrt(through / top)) * np.where(kinds == "destination", 1.8, 1)
    shown = np.array([_inside(lon[n], lat[n], ext) for n in names])
    for kind, (marker, face) in KIND_STYLE.items():
        sel = np.flatnonzero((kinds == kind) & shown)
        if len(sel) == 0:
            continue
        ax.scatter([lon[names[i]] for i in sel], [lat[names[i]] for i in sel],
                   s=size[sel], marker=marker,
                   facecolor=face, edgecolor="black", linewidth=0.6, zorder=3, label=kind)
    return through, np.sqrt(size) / 2


def _label_choice(labels, names, through, inside, max_labels):
    if isinstance(labels, str):
        if labels == "none":
            return []
        order = [names[i] for i in np.argsort(-through, kind="stable") if inside[i]]
        if labels == "all":
            return order
        if labels == "auto":
            return order[:max_labels]
        raise ValueError(f"labels: expected 'auto', 'all', 'none' or a list, got {labels!r}")
    return list(labels)


def _overlaps(box, boxes):
    return any(box.x0 < b.x1 and b.x0 < box.x1 and box.y0 < b.y1 and b.y0 < box.y1
               for b in boxes)


def _place_labels(fig, ax, texts, markers, obstacles):
    """Greedy labelling: each text (most important first) takes the first of the
    directions in _OFFSETS, then of the same directions 12 and 24 points further out
    with a leader line, where it collides with no label placed before, no marker but
    its own and no legend, and stays inside the axes; a text that fits nowhere is left
    out. texts: [(text, (lon, lat), radius in points)]; markers: [((lon, lat), radius in
    points)]; obstacles: display boxes (legends). Returns the Annotations kept."""
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox
    fig.draw_without_rendering()            # fixes the constrained layout first
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    px = fig.dpi / 72
    boxes = []
    for xy, r in markers:
        x, y = ax.transData.transform([xy])[0]
        boxes.append((xy, Bbox([[x - r * px, y - r * px], [x + r * px, y + r * px]])))
    placed, kept = list(obstacles), []
    for text, xy, r in texts:
        others = [box for mxy, box in boxes if mxy != xy]
        for (ux, uy, ha, va), far in [(o, far) for far in (0, 12, 24) for o in _OFFSETS]:
            leader = dict(arrowstyle="-", color="#555555", lw=0.5, shrinkA=0,
                          shrinkB=r) if far else None
            ann = ax.annotate(text, xy, xytext=(ux * (r + 2 + far), uy * (r + 2 + far)),
                              textcoords="offset points", ha=ha, va=va, fontsize=7,
                              zorder=5, arrowprops=leader, path_effects=[
                                  patheffects.withStroke(linewidth=2.2, foreground="white")])
            ann.update_positions(renderer)
            box = Text.get_window_extent(ann, renderer).padded(1)   # text, no leader
            if (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
                    and box.y1 <= frame.y1 and not _overlaps(box, placed + others)):
                placed.append(box)
                kept.append(ann)
                break
            ann.remove()
    for ann in kept:
        ann.set_in_layout(False)
    return kept


def _legends(ax, ds, fmax, max_linewidth, arrows, per):
    """The links' legend (modes, widths in persons: agents / per) and the places'."""
    modes_used = [m for m in MODE_COLOURS if m in set(map(str, ds["link_mode"].values))]
    handles = [Line2D([], [], color=MODE_COLOURS[m], linewidth=3,
                      linestyle="--" if m == "air" else "-", label=m) for m in modes_used]
    for frac in (1.0, 0.5, 0.1):
        handles.append(Line2D([], [], color="black",
                              linewidth=0.5 + (max_linewidth - 0.5) * frac,
                              label=f"{round(fmax * frac / per):,} persons"))
    handles.append(Line2D([], [], color="#9e9e9e", linestyle="dotted", label="unused"))
    if arrows:
        handles.append(Line2D([], [], color="black", marker=">", markersize=6,
                              linewidth=1, label="from or to outside the frame"))
    first = ax.legend(handles=handles, title="links (width = flow)", loc="lower left",
                      fontsize=7, title_fontsize=8, framealpha=0.95)
    ax.add_artist(first)
    second = ax.legend(title="places (size = arrived\nor started)", loc="upper right",
                       fontsize=7, title_fontsize=8, markerscale=0.6, framealpha=0.95)
    return [first, second]


def plot_corridor_map(run, path, title=None, labels="auto", extent=None, max_labels=30,
                      max_linewidth=8.0, basemap=True, figsize=None, dpi=150):
    """The corridor as a map, written to path (or to each path of a list: .png, .svg or
    .pdf by suffix). Returns the matplotlib Figure (not registered with pyplot).

    - Countries (borders and coastlines) from Natural Earth's 1:110m countries, which
      Debian's python3-geopandas 0.12 ships; without geopandas the map is drawn on a plain
      background and the title says so.
    - Links as lines whose width is proportional to the persons who set off along them
      over the whole run, coloured by mode (air dashed); unused links thin dotted grey.
      The legend's widths are persons: the file's agents divided by its agents per person
      (agents_per_person(run), e.g. corridor.scale), which the title states when not 1.
    - The frame: extent=(lon_min, lon_max, lat_min, lat_max); default CORRIDOR_EXTENT
      (120-60 W, 5 S-35 N) for the corridor model, else the box around every place but
      the air-only origins. A used link from a place outside the frame (the corridor's
      extra-continental air origin, Lima, Chile) is drawn from the point where it enters
      the frame, with an arrowhead just inside it pointing along the flow (towards the
      destination) and "from PLACE" at the edge; a link to a place outside is drawn up to
      the edge with its arrowhead there, pointing out, and "to PLACE". The outside place
      itself is not drawn and does not stretch the extent.
    - Places marked by kind, with an area that grows with the persons who arrived at or
      started from them (square root scale).
    - labels: "auto" (the max_labels busiest places in the frame), "all", "none", or a
      list of names. Labels are placed greedily, busiest first, at the first of eight
      positions around the place where they overlap no other label, marker or legend;
      one that fits nowhere is left out (the title says how many).
    Flows are counts of persons over the run, as stored; no interval is drawn (one run),
    which the title states.
    """
    ds = as_dataset(run)
    names = [str(p) for p in ds["place"].values]
    lon = dict(zip(names, ds["place_lon"].values.astype(float)))
    lat = dict(zip(names, ds["place_lat"].values.astype(float)))
    kinds = np.asarray(ds["place_kind"].values).astype(str)
    modes = pd.Series(np.asarray(ds["link_mode"].values).astype(str))
    froms = pd.Series(np.asarray(ds["link_from"].values).astype(str))
    air_only = np.array([(kinds[i] == "origin") and (froms == n).any()
                         and (modes[froms == n] == "air").all() for i, n in enumerate(names)])
    lons, lats = np.array([lon[n] for n in names]), np.array([lat[n] for n in names])
    ext = tuple(float(v) for v in (extent or _extent(ds, lons, lats, air_only)))
    aspect = 1.0 / np.cos(np.deg2rad(0.5 * (ext[2] + ext[3])))
    if figsize is None:         # 10 inches wide, as tall as the frame needs
        figsize = (10, float(np.clip(10 * aspect * (ext[3] - ext[2]) / (ext[1] - ext[0])
                                     + 0.6, 3, 12)))
    fig = figure(figsize)
    ax = fig.add_subplot()
    ax.set_facecolor(WATER)
    drawn = basemap and _basemap(ax)
    segs, widths, colours, styles, arrows, fmax = _links(ds, lon, lat, ext, max_linewidth)
    edge_names = _draw_links(ax, segs, widths, colours, styles, arrows, fmax, max_linewidth)
    through, radius = _draw_places(ax, ds, names, lon, lat, kinds, ext)
    ax.set_xlim(ext[0], ext[1])
    ax.set_ylim(ext[2], ext[3])
    ax.set_aspect(aspect)
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.grid(True, linewidth=0.3, alpha=0.4, color="#666666")
    per = agents_per_person(ds)
    legends = _legends(ax, ds, fmax, max_linewidth, arrows, per)

    inside = np.array([_inside(lon[n], lat[n], ext) for n in names])
    chosen = _label_choice(labels, names, through, inside, max_labels)
    texts = [(label, edge, 8) for label, (edge, tip) in edge_names.items()] + \
            [(n, (lon[n], lat[n]), radius[names.index(n)]) for n in chosen if n in lon
             and _inside(lon[n], lat[n], ext)]
    markers = [((lon[n], lat[n]), radius[i]) for i, n in enumerate(names) if inside[i]] \
        + [(tip, 5) for edge, tip in edge_names.values()]
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    kept = _place_labels(fig, ax, texts, markers,
                         [lg.get_window_extent(renderer) for lg in legends])
    t0 = pd.Timestamp(ds["time"].values[0]).date()
    t1 = pd.Timestamp(ds["time"].values[-1]).date()
    notes = [f"one run (seed {ds.attrs.get('migsim_seed', '?')}): no interval across seeds"]
    if per != 1:
        notes.append(f"persons = agents \u00f7 {per:g} agents per person")
    if len(texts) > len(kept):
        notes.append(f"{len(texts) - len(kept)} labels left out where they would collide")
    if not drawn:
        notes.append("no coastlines (python3-geopandas not installed)" if basemap
                     else "no coastlines")
    ax.set_title((title or f"{ds.attrs.get('title', 'migsim')}: persons along each link, "
                           f"{t0} to {t1}") + "\n" + "; ".join(notes), fontsize=9)
    save(fig, path, dpi)
    return fig
