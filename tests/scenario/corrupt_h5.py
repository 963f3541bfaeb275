#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Damages a copy of an HDF5 file for the hardening tests (h5py):
  corrupt_h5.py SRC DST resize:DATASET:N        DATASET rewritten with N entries (cycled)
  corrupt_h5.py SRC DST set:DATASET:INDEX:VALUE entry INDEX set to VALUE (nan, -1, 999 ...)
  corrupt_h5.py SRC DST attr:OBJECT:NAME:VALUE  integer attribute NAME of OBJECT set to VALUE
  corrupt_h5.py SRC DST flip:SEED:BITS          BITS random bits flipped anywhere (random.Random(SEED))

A checkpoint's seal (its SHA-256 after the HDF5 bytes) is recomputed after the other kinds of
damage, as a forger would, so that the checks behind the seal are tested; bit flips leave it.
"""
import hashlib
import random
import shutil
import sys

import h5py
import numpy as np

src, dst, case = sys.argv[1], sys.argv[2], sys.argv[3]
kind, *arg = case.split(":")
if kind == "flip":
    data = bytearray(open(src, "rb").read())
    rng = random.Random(int(arg[0]))
    for _ in range(int(arg[1])):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    open(dst, "wb").write(data)
    sys.exit(0)
SEAL = b"\nmigsim-checkpoint-sha256 "
data = open(src, "rb").read()
sealed = len(data) > len(SEAL) + 65 and data[-(len(SEAL) + 65):].startswith(SEAL)
open(dst, "wb").write(data[:-(len(SEAL) + 65)] if sealed else data)
with h5py.File(dst, "r+") as f:
    if kind == "resize":
        name, n = arg[0], int(arg[1])
        values = f[name][...]
        del f[name]
        f.create_dataset(name, data=np.resize(values, n))
    elif kind == "set":
        name, index, value = arg[0], int(arg[1]), arg[2]
        values = f[name][...]
        values[index] = float(value) if values.dtype.kind == "f" else int(value)
        f[name][...] = values
    elif kind == "attr":
        obj, name, value = arg
        f[obj].attrs[name] = np.int64(int(value))
    else:
        sys.exit(f"corrupt_h5.py: unknown case {case}")
if sealed:
    body = open(dst, "rb").read()
    open(dst, "ab").write(SEAL + hashlib.sha256(body).hexdigest().encode() + b"\n")
