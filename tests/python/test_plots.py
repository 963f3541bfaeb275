"""migsim_analysis plots: each writes a real PNG (magic bytes, size, pixels that are not
all one colour) from a real run, and accepts the inputs its docstring promises."""
import struct

import matplotlib.image
import pytest

from migsim_analysis import (load_observed_monthly, plot_corridor_map, plot_difference,
                             plot_monthly)
from conftest import REPO

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CITIZENSHIP = (REPO / "configs/corridor/data"
               / "cbp_swb_encounters_monthly_by_citizenship_fy2021_fy2023.csv")


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


def test_corridor_map(ds, tmp_path):
    out = plot_corridor_map(ds, tmp_path / "sub" / "map.png")
    assert out == str(tmp_path / "sub" / "map.png")
    check_png(out)
    # a path works as well as a Dataset, and labels can be switched off
    check_png(plot_corridor_map(ds.attrs["source_file"], tmp_path / "map2.png", labels="none"))
    with pytest.raises(ValueError, match="labels"):
        plot_corridor_map(ds, tmp_path / "bad.png", labels="some")


def test_monthly_with_observed_overlay(ds, tmp_path):
    observed = load_observed_monthly(CITIZENSHIP, ["VENEZUELA", "HONDURAS"])
    out = plot_monthly(ds, tmp_path / "monthly.png", by="nationality", observed=observed,
                       observed_label="CBP", secondary_axis=True)
    check_png(out)
    total = load_observed_monthly(CITIZENSHIP, "TOTAL")
    check_png(plot_monthly({"seed 7": ds}, tmp_path / "total.png", observed=total))
    check_png(plot_monthly(ds, tmp_path / "occupancy.png", variable="occupancy", by="place"))


def test_difference_plot(scenario_runs, counterfactual_runs, tmp_path):
    out = plot_difference(scenario_runs, counterfactual_runs, tmp_path / "diff.png",
                          labels=("as configured", "Honduran departures halved"))
    check_png(out)
    check_png(plot_difference(scenario_runs[0], counterfactual_runs[0], tmp_path / "one.png"))


def test_plots_leave_no_pyplot_figures(ds, tmp_path):
    import matplotlib.pyplot as plt
    before = len(plt.get_fignums())
    plot_corridor_map(ds, tmp_path / "m.png")
    plot_monthly(ds, tmp_path / "t.png")
    assert len(plt.get_fignums()) == before
