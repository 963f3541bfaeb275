# SPDX-License-Identifier: GPL-3.0-or-later
"""migsim_analysis plots: each writes a real PNG (magic bytes, size, pixels that are not
all one colour) and SVG from a real run, returns its Figure, and keeps the promises a
paper figure needs: units as stored, the interval convention stated, observed and
simulated on one axis, at most nine series with distinct colours, the map framed on the
corridor with country borders and labels that do not overlap."""
import struct

import matplotlib.image
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from migsim_analysis import (load_observed_monthly, plot_corridor_map, plot_difference,
                             plot_monthly)
from migsim_analysis.maps import CORRIDOR_EXTENT
from conftest import REPO

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CITIZENSHIP = (REPO / "configs/corridor/data"
               / "cbp_swb_encounters_monthly_by_citizenship_fy2021_fy2023.csv")
T_NOTE = "95% Student's t intervals across seeds"


def check_png(path, min_bytes=15_000):
    with open(path, "rb") as f:
        head = f.read(24)
        size = len(head) + len(f.read())
    assert head[:8] == PNG_MAGIC, f"{path} is not a PNG"
    assert head[12:16] == b"IHDR"
    width, height = struct.unpack(">II", head[16:24])
    assert width >= 600 and height >= 300, (width, height)
    assert size >= min_bytes, f"{path}: only {size} bytes"
    pixels = matplotlib.image.imread(path)
    assert pixels[..., :3].std() > 0.05, f"{path} is (nearly) blank"
    return width, height


def texts(fig):
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def label_boxes(fig):
    """Display boxes of the place labels the map kept (annotations with text)."""
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    return [Text.get_window_extent(a, renderer) for a in ax.texts if a.get_text()]


def test_corridor_map_png_svg_and_basemap(ds, tmp_path):
    png, svg = tmp_path / "sub" / "map.png", tmp_path / "map.svg"
    fig = plot_corridor_map(ds, [png, svg])
    assert isinstance(fig, Figure)
    check_png(png)
    assert svg.read_text()[:200].lstrip().startswith("<?xml") and "<svg" in svg.read_text()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "longitude (degrees east)"
    # Natural Earth's 177 countries as one collection of polygons
    assert max(len(c.get_paths()) for c in ax.collections) >= 177
    assert "no interval across seeds" in ax.get_title()
    # a path works as well as a Dataset, and labels can be switched off
    fig = plot_corridor_map(ds.attrs["source_file"], tmp_path / "map2.png", labels="none")
    assert not [a for a in fig.axes[0].texts if a.get_text()]
    with pytest.raises(ValueError, match="labels"):
        plot_corridor_map(ds, tmp_path / "bad.png", labels="some")
    with pytest.raises(ValueError, match="suffix"):
        plot_corridor_map(ds, tmp_path / "map.jpeg")


def test_corridor_map_labels_do_not_overlap(ds, tmp_path):
    fig = plot_corridor_map(ds, tmp_path / "all.png", labels="all")
    fig.draw_without_rendering()
    boxes = label_boxes(fig)
    assert len(boxes) >= 10
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)


def check_arrow(fig, gid, inward, far, place):
    """The arrow of the links between place (outside the frame) and the inside: its tail
    (xytext) and head (xy) lie on the segment towards the inside end, the one on the frame's
    edge and the other inside; inward: the head is the inside one (the flow comes in)."""
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    arrows = [a for a in ax.texts if a.get_gid() == gid]
    assert arrows, gid
    names = list(map(str, far["place"].values))
    lon = dict(zip(names, far["place_lon"].values))
    lat = dict(zip(names, far["place_lat"].values))
    ends = [(str(b) if str(a) == place else str(a)) for a, b in
            zip(far["link_from"].values, far["link_to"].values) if place in (str(a), str(b))]
    for a in arrows:
        head, tail = np.array(a.xy, float), np.array(a.xyann, float)
        edge, inner = (tail, head) if inward else (head, tail)
        on_edge = min(abs(edge[0] - x0), abs(edge[0] - x1), abs(edge[1] - y0), abs(edge[1] - y1))
        assert on_edge < 1e-6, (gid, edge)
        assert x0 < inner[0] < x1 and y0 < inner[1] < y1, (gid, inner)
        # the inside point lies on the way from the edge to one of the place's inside ends
        assert any(np.linalg.norm(np.array([lon[e], lat[e]]) - inner)
                   < np.linalg.norm(np.array([lon[e], lat[e]]) - edge) for e in ends), gid


def test_corridor_map_far_air_origin_enters_from_the_edge(ds, tmp_path):
    """Caracas moved to Madrid with its links made air-only: the frame stays on the other
    places (their box padded by a degree, inside the corridor's), Caracas is not drawn and
    its flow comes in as an arrow labelled "from Caracas"."""
    far = ds.copy()
    lon, lat = far["place_lon"].values.copy(), far["place_lat"].values.copy()
    i = list(map(str, far["place"].values)).index("Caracas")
    lon[i], lat[i] = -3.57, 40.5
    modes = far["link_mode"].values.astype(object).copy()
    modes[far["link_from"].values == "Caracas"] = "air"
    far = far.assign_coords(place_lon=("place", lon), place_lat=("place", lat),
                            link_mode=("link", modes))
    fig = plot_corridor_map(far, tmp_path / "far.png")
    x0, x1 = fig.axes[0].get_xlim()
    y0, y1 = fig.axes[0].get_ylim()
    rest = np.arange(len(lon)) != i
    assert (x0, x1) == pytest.approx((lon[rest].min() - 1, lon[rest].max() + 1))
    assert (y0, y1) == pytest.approx((lat[rest].min() - 1, lat[rest].max() + 1))
    assert CORRIDOR_EXTENT[0] <= x0 and x1 <= CORRIDOR_EXTENT[1]
    assert CORRIDOR_EXTENT[2] <= y0 and y1 <= CORRIDOR_EXTENT[3]
    assert "from Caracas" in texts(fig)
    check_arrow(fig, "from Caracas", inward=True, far=far, place="Caracas")
    # the links turned round (to Caracas) leave the frame: arrowheads on the edge, pointing out
    out = far.assign_coords(link_from=("link", far["link_to"].values),
                            link_to=("link", far["link_from"].values))
    fig = plot_corridor_map(out, tmp_path / "out.png", extent=(x0, x1, y0, y1))
    assert "to Caracas" in texts(fig) and "from Caracas" not in texts(fig)
    check_arrow(fig, "to Caracas", inward=False, far=out, place="Caracas")
    # the corridor model gets the corridor's frame
    far.attrs["migsim_model"] = "corridor"
    fig = plot_corridor_map(far, tmp_path / "frame.png")
    assert fig.axes[0].get_xlim() + fig.axes[0].get_ylim() == CORRIDOR_EXTENT


def test_corridor_map_legend_counts_persons(ds, tmp_path):
    """The widths' legend is in persons: the file's agents divided by its agents per person
    (provenance agents_per_person; 1 for the basic model), stated in the title."""
    from migsim_analysis import agents_per_person
    fmax = int(ds["flow"].astype("int64").sum("time").max())
    assert agents_per_person(ds) == 1.0 and agents_per_person(ds.attrs["source_file"]) == 1.0
    fig = plot_corridor_map(ds, tmp_path / "one.png")
    assert f"{fmax:,} persons" in texts(fig) and "agents per person" not in texts(fig)
    scaled = ds.copy()
    scaled.attrs["migsim_agents_per_person"] = "0.05"
    fig = plot_corridor_map(scaled, tmp_path / "scaled.png")
    from matplotlib.legend import Legend
    legend = [t.get_text() for lg in fig.findobj(Legend) for t in lg.get_texts()]
    assert [t for t in legend if t.endswith(" persons")] == \
        [f"{round(fmax * frac / 0.05):,} persons" for frac in (1.0, 0.5, 0.1)], legend
    assert f"{fmax:,} persons" not in legend
    assert "persons = agents \u00f7 0.05 agents per person" in fig.axes[0].get_title()


def test_monthly_observed_on_the_same_axis(ds, tmp_path):
    observed = load_observed_monthly(CITIZENSHIP, ["VENEZUELA", "HONDURAS"])
    fig = plot_monthly(ds, tmp_path / "one.png", by="nationality", observed=observed,
                       observed_label="CBP", small_multiples=False)
    check_png(tmp_path / "one.png")
    assert len(fig.axes) == 1                   # no secondary axis
    assert len(fig.axes[0].get_lines()) == 4    # 2 simulated + 2 observed
    assert fig.axes[0].get_ylabel() == "persons per month"   # arrivals: persons day-1
    assert "no interval across seeds" in fig.axes[0].get_title()
    # small multiples by default with observed data: one panel per nationality
    fig = plot_monthly(ds, tmp_path / "panels.png", by="nationality", observed=observed,
                       observed_label="CBP")
    assert [a.get_title() for a in fig.axes] == ["VENEZUELA", "HONDURAS"]
    assert [len(a.get_lines()) for a in fig.axes] == [2, 2]
    with pytest.raises(TypeError, match="secondary_axis"):
        plot_monthly(ds, tmp_path / "x.png", observed=observed, secondary_axis=True)


def test_monthly_top_eight_and_all_others(ds, tmp_path):
    fig = plot_monthly(ds, tmp_path / "occ.png", variable="occupancy", by="place")
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(ds["place"]) > 9 and len(lines) == 9
    assert lines[-1].get_label() == "all others"
    assert len({line.get_color() for line in lines}) == 9       # no shared colours
    assert ax.get_ylabel() == "persons (mean over the month)"


def test_monthly_units_as_stored_and_seed_bands(ds, scenario_runs, tmp_path):
    events = ds.assign(encounters=ds["arrivals"].assign_attrs(units="events day-1"))
    fig = plot_monthly(events, tmp_path / "events.png")
    assert fig.axes[0].get_ylabel() == "events per month"
    fig = plot_monthly(scenario_runs, [tmp_path / "seeds.png", tmp_path / "seeds.svg"])
    check_png(tmp_path / "seeds.png")
    assert (tmp_path / "seeds.svg").stat().st_size > 10_000
    title = fig.axes[0].get_title()
    assert T_NOTE in title and "n = 2" in title
    assert len(fig.axes[0].collections) == 1    # one band for the one series


def test_difference_plot(scenario_runs, counterfactual_runs, tmp_path):
    fig = plot_difference(scenario_runs, counterfactual_runs, tmp_path / "diff.png",
                          labels=("as configured", "Honduran departures halved"))
    check_png(tmp_path / "diff.png")
    top, bottom = fig.axes
    assert T_NOTE in top.get_title()
    assert top.get_ylabel() == "persons per month"
    assert "95% Student's t interval across seeds (paired)" in \
        bottom.get_legend_handles_labels()[1]
    fig = plot_difference(scenario_runs[0], counterfactual_runs[0], tmp_path / "one.png")
    check_png(tmp_path / "one.png")
    assert "no interval across seeds" in fig.axes[0].get_title()


def test_plots_leave_no_pyplot_figures(ds, tmp_path):
    import matplotlib.pyplot as plt
    before = len(plt.get_fignums())
    plot_corridor_map(ds, tmp_path / "m.png")
    plot_monthly(ds, tmp_path / "t.png")
    assert len(plt.get_fignums()) == before


def kit_imports(path):
    """(module, name) of every `from migsim_analysis... import name` in a script."""
    import ast
    tree = ast.parse(path.read_text(), str(path))
    return [(n.module, a.name) for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("migsim_analysis")
            for a in n.names]


def test_scripts_use_only_the_kits_public_names():
    """Scripts outside the kit import only public, documented names: scripts/counterfactual
    takes figure, save and thousands from migsim_analysis.figures and half_width from
    migsim_analysis.tables."""
    import migsim_analysis
    from migsim_analysis import figures
    scripts = [p for p in (REPO / "scripts").iterdir() if p.is_file() and (
               p.suffix == ".py" or b"python" in p.read_bytes().split(b"\n", 1)[0])]
    found = {(p.name, m, n) for p in scripts for m, n in kit_imports(p)}
    assert ("counterfactual", "migsim_analysis.figures", "figure") in found, found
    assert ("counterfactual", "migsim_analysis.tables", "half_width") in found, found
    private = sorted(f for f in found if any(part.startswith("_") for part in f[1].split(".") + [f[2]])
                     and f[2] != "__version__")
    assert not private, private
    for name in ("figure", "save", "thousands", "date_axis", "interval_note"):
        assert name in figures.__all__ and getattr(figures, name).__doc__, name
    assert migsim_analysis.figures is figures and "figures" in migsim_analysis.__all__
    assert "half_width" in migsim_analysis.__all__ and migsim_analysis.half_width.__doc__
