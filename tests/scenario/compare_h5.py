#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare the datasets of migsim HDF5 files byte for byte (the /provenance group, which
records threads and wall time, is left out).

    compare_h5.py REF.h5 OTHER.h5 [...] [--differs DIFFERENT.h5]

Exits 1 if any OTHER differs from REF in a dataset's name, dtype, shape or bytes, or if
the --differs file (a run with another seed) does NOT differ: the comparison can fail.
"""
import argparse
import sys

import h5py


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and not name.startswith("provenance"):
                v = obj[()]
                # variable-length strings come back as objects: compare their values
                raw = v.tobytes() if v.dtype.kind != "O" else repr(v.tolist()).encode()
                out[name] = (str(obj.dtype), obj.shape, raw)
        f.visititems(visit)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ref")
    ap.add_argument("others", nargs="+")
    ap.add_argument("--differs")
    a = ap.parse_args()
    ref = datasets(a.ref)
    bad = 0
    for o in a.others:
        d = datasets(o)
        if set(d) != set(ref):
            print(f"{o}: datasets {sorted(set(d) ^ set(ref))} differ from {a.ref}")
            bad += 1
        for name in sorted(set(d) & set(ref)):
            if d[name] != ref[name]:
                print(f"{o}: dataset {name} differs from {a.ref}")
                bad += 1
        print(f"{o}: {len(d)} datasets byte-identical to {a.ref}" if not bad else f"{o}: differs")
    if a.differs:
        d = datasets(a.differs)
        if all(d.get(k) == v for k, v in ref.items()):
            print(f"{a.differs}: identical to {a.ref}, but it was run with another seed")
            bad += 1
        else:
            print(f"{a.differs}: differs from {a.ref}, as a run with another seed must")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
