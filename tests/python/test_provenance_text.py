# SPDX-License-Identifier: GPL-3.0-or-later
"""Provenance comes back as text (issue 18, item 7): migsim writes the /provenance
attributes (and the checkpoint's scenario text) as scalar variable-length UTF-8 strings
(netCDF-4's NC_STRING), which h5py reads as str; as fixed-length strings, as migsim 0.1.0
wrote them, h5py gave numpy.bytes_. CF metadata (units, long_name, title, Conventions ...)
stays fixed-length (NC_CHAR), the form every netCDF and CF tool reads; xarray gives str for
both, with either engine, and so does the kit's provenance()."""
import subprocess

import h5py
import pytest
import xarray as xr

from conftest import DEMO, migsim_binary, run_demo

PROVENANCE = ("migsim_version", "git_revision", "compiler", "scenario_path", "scenario_resolved",
              "model", "seed", "threads", "command_line")


@pytest.fixture(scope="module")
def short_runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("text")
    return [run_demo(d / f"r{s}.h5", s, ("days=5",)) for s in (1, 2)]


def assert_all_text(attrs, where):
    bad = {k: type(v).__name__ for k, v in attrs.items() if not isinstance(v, str)}
    assert not bad, f"{where}: not str: {bad}"


def test_h5py_reads_the_provenance_of_a_run_as_str(short_runs):
    with h5py.File(short_runs[0], "r") as f:
        prov = f["provenance"].attrs
        for key in PROVENANCE:
            assert isinstance(prov[key], str), (key, type(prov[key]))
        assert prov["seed"] == "1"
        assert "days: 5" in prov["scenario_resolved"]
        assert_all_text(prov, "/provenance")
        assert float(prov["agents_per_person"]) == 1.0
        # CF metadata: NC_CHAR, which h5py gives as bytes
        assert f.attrs["Conventions"] == b"CF-1.8"
        assert f["time"].attrs["units"] == b"days since 2023-01-01"
        assert f["time"].attrs["units"].dtype.kind == "S"


@pytest.mark.parametrize("engine", ["netcdf4", "h5netcdf"])
def test_xarray_reads_provenance_and_units_as_str(short_runs, engine):
    with xr.open_dataset(short_runs[0], group="provenance", engine=engine) as p:
        for key in PROVENANCE:
            assert isinstance(p.attrs[key], str), (engine, key, type(p.attrs[key]))
        assert p.attrs["seed"] == "1"
    with xr.open_dataset(short_runs[0], engine=engine) as ds:
        assert ds.attrs["Conventions"] == "CF-1.8"
        assert str(ds["time"].values[0]).startswith("2023-01-01")
        assert ds["occupancy"].attrs["units"] == "persons"


def test_the_kits_provenance_is_str(short_runs):
    from migsim_analysis import open_run, provenance
    p = provenance(short_runs[1])
    assert p["seed"] == "2"
    assert_all_text(p, "provenance()")
    assert open_run(short_runs[1]).attrs["migsim_seed"] == "2"


def test_summarize_output_provenance_is_str(short_runs, tmp_path):
    out = tmp_path / "ens.h5"
    subprocess.run([str(migsim_binary()), "summarize", *map(str, short_runs), "-o", str(out),
                    "--threads", "1", "--quiet"], check=True, capture_output=True)
    with h5py.File(out, "r") as f:
        assert_all_text(f["provenance"].attrs, "summarize /provenance")
        assert f["provenance"].attrs["input_seeds"] == "1\n2"
        assert f.attrs["source"] == b"migsim summarize"


def test_checkpoint_scenario_text_is_str(tmp_path):
    out, ckpt = tmp_path / "r.h5", tmp_path / "r.ckpt"
    done = subprocess.run([str(migsim_binary()), "run", str(DEMO), "-o", str(out), "--threads", "1",
                           "--quiet", "--set", "days=6", "--checkpoint", str(ckpt), "--stop-after", "3"],
                          capture_output=True, text=True)
    assert done.returncode == 75, done.stderr
    seal = b"\nmigsim-checkpoint-sha256 "
    data = ckpt.read_bytes()
    assert data[-(len(seal) + 65):].startswith(seal), "the checkpoint is not sealed"
    with h5py.File(ckpt, "r") as f:
        text = f["checkpoint"].attrs["scenario_resolved"]
        assert isinstance(text, str) and "days: 6" in text
    done = subprocess.run([str(migsim_binary()), "run", str(DEMO), "-o", str(out), "--threads", "1",
                           "--quiet", "--set", "days=6", "--restart", str(ckpt)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
