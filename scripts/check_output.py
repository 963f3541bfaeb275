#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that a migsim HDF5 output opens as a labelled xarray Dataset.

Usage:
    /usr/bin/python3 scripts/check_output.py FILE.h5 [--engine netcdf4|h5netcdf]
        [--expect VAR=SUM ...]

Opens FILE.h5 with xarray.open_dataset and the given engine (netcdf4 goes through
netCDF-C, h5netcdf through h5py: both must work), prints the Dataset, then checks:
  - dimensions time, place, link and nationality exist;
  - occupancy(time, place), flow(time, link), arrivals(time, place, nationality) and
    spawned(time, place, nationality) exist with those dimensions and matching shapes;
  - time decodes to datetime64 (units "days since YYYY-MM-DD");
  - every data variable has units and long_name attributes;
  - the /provenance group opens (its attributes are printed);
  - for each --expect VAR=SUM, the integer sum of VAR over all its values equals SUM.
Exits 0 when everything holds, 1 (after listing every failure) otherwise.

Use Debian's /usr/bin/python3, which has xarray, netCDF4 and h5netcdf installed.
"""
import argparse
import sys

STANDARD = {
    "occupancy": ("time", "place"),
    "flow": ("time", "link"),
    "arrivals": ("time", "place", "nationality"),
    "spawned": ("time", "place", "nationality"),
}
DIMS = ("time", "place", "link", "nationality")


def parse_expect(items):
    """VAR=SUM strings to a dict; raises ValueError with a readable message."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--expect {item!r}: expected VAR=SUM")
        try:
            out[name] = int(value)
        except ValueError:
            raise ValueError(f"--expect {item!r}: SUM must be an integer") from None
    return out


def first_failure(checks):
    """The message of the first failing check, or None. checks yields (holds, message)
    pairs lazily, so a later check may rely on the earlier ones holding."""
    return next((message for holds, message in checks if not holds), None)


def standard_checks(ds, name, dims):
    """A standard variable: present, over dims, shaped as those dimensions."""
    yield name in ds.variables, f"variable {name!r} is missing"
    var = ds[name]
    yield var.dims == dims, f"{name}: dimensions {var.dims}, expected {dims}"
    shape = tuple(ds.sizes[d] for d in dims)
    yield var.shape == shape, f"{name}: shape {var.shape}, expected {shape}"


def expect_checks(ds, name, want):
    """--expect VAR=SUM: VAR present, of integers, summing to SUM (said when it does)."""
    import numpy as np

    yield name in ds.variables, f"--expect {name}={want}: no variable {name!r}"
    values = ds[name].values
    yield np.issubdtype(values.dtype, np.integer), f"{name}: dtype {values.dtype}, expected integers"
    got = int(values.astype(np.int64).sum())
    yield got == want, f"{name}: sum is {got}, expected {want}"
    print(f"{name}: sum {got} as expected")


def check(ds, expect):
    """Returns a list of failure messages (empty when the file passes)."""
    import numpy as np

    failures = []
    for dim in DIMS:
        if dim not in ds.dims:
            failures.append(f"dimension {dim!r} is missing (dims: {list(ds.dims)})")
    failures += [first_failure(standard_checks(ds, name, dims)) for name, dims in STANDARD.items()]
    if "time" in ds.variables and not np.issubdtype(ds["time"].dtype, np.datetime64):
        failures.append(f"time: decoded as {ds['time'].dtype}, expected datetime64 "
                        f"(units = {ds['time'].attrs.get('units')!r})")
    for name, var in ds.data_vars.items():
        for attr in ("units", "long_name"):
            if attr not in var.attrs:
                failures.append(f"{name}: no {attr} attribute")
    failures += [first_failure(expect_checks(ds, name, want)) for name, want in expect.items()]
    return [f for f in failures if f is not None]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", help="migsim HDF5 output")
    ap.add_argument("--engine", choices=("netcdf4", "h5netcdf"), default="netcdf4",
                    help="xarray backend (default: netcdf4)")
    ap.add_argument("--expect", nargs="+", action="extend", default=[], metavar="VAR=SUM",
                    help="expected integer sum of a variable over all its values")
    args = ap.parse_args(argv)
    prog = "check_output.py"

    try:
        expect = parse_expect(args.expect)
    except ValueError as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 1
    try:
        import xarray as xr
    except ImportError as e:
        print(f"{prog}: cannot import xarray ({e}); run it with /usr/bin/python3",
              file=sys.stderr)
        return 1
    try:
        ds = xr.open_dataset(args.file, engine=args.engine)
    except Exception as e:  # any reader failure is a failed check
        print(f"{prog}: {args.file}: cannot open with engine {args.engine}: "
              f"{type(e).__name__}: {e}", file=sys.stderr)
        return 1
    with ds:
        print(ds)
        failures = check(ds, expect)
    try:
        with xr.open_dataset(args.file, engine=args.engine, group="provenance") as prov:
            print("provenance:", ", ".join(sorted(prov.attrs)) or "(no attributes)")
    except Exception as e:
        failures.append(f"group /provenance: cannot open: {type(e).__name__}: {e}")

    if failures:
        for f in failures:
            print(f"{prog}: {args.file} ({args.engine}): {f}", file=sys.stderr)
        print(f"{prog}: {args.file} ({args.engine}): FAILED, {len(failures)} problem(s)",
              file=sys.stderr)
        return 1
    print(f"{prog}: {args.file} ({args.engine}): OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
