#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The adversarial campaign of issue 17, rerunnable: feeds migsim several hundred bad inputs
(every key of the demo scenario deleted, misspelt and given wrong values; damaged places and
links CSVs; damaged checkpoints; outputs pointing at devices, inputs and folders; oversized and
pathological inputs) and classifies each outcome.

  scripts/hostile.py MIGSIM [WORKDIR]       (best with an ASan/UBSan build: build-asan/migsim)

For every input it records the exit status, the time, a sanitizer report, a hang (over 60 s),
a crash (signal or exit >= 128), files left at the output path or as *.tmp.<pid>, and whether
the message is clear: every line (no HDF5 stack; one per problem, then "N problems") names
the damaged file (or the file that refers to it), and for YAML cases also a line number. It prints one line per input that is not a clear refusal, then the
totals, and exits 1 if there is a crash, a sanitizer report, a hang, a file left behind or an
unclear message (ctest runs it: scenario.test_hostile).
Accepted inputs (exit 0) are listed for review: many are valid values (seed: 0).
"""
import copy
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import time

import h5py
import numpy as np
import yaml

MIGSIM = os.path.abspath(sys.argv[1])
WORK = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "hostile-work")
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(SRC, "configs", "demo.yaml")
TIMEOUT = 60
SEAL = b"\nmigsim-checkpoint-sha256 "   # a checkpoint's seal: its SHA-256 after the HDF5 bytes
SANITIZER = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:")
BAD_VALUES = [("string", "abc"), ("negative", -1), ("zero", 0), ("huge", 1e300), ("nan", float("nan")),
              ("empty", ""), ("list", [1, 2]), ("map", {"a": 1}), ("null", None), ("bool", True)]


def leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, path + (k,))
    elif isinstance(node, list) and node and isinstance(node[0], dict):
        for i, v in enumerate(node):
            yield from leaves(v, path + (i,))
    else:
        yield path


def parent(doc, path):
    for k in path[:-1]:
        doc = doc[k]
    return doc


def dotted(path):
    return ".".join(f"[{k}]" if isinstance(k, int) else k for k in path).replace(".[", "[")


def base_scenario(d):
    """The demo scenario in d with absolute table paths and 10 days, as a dict."""
    doc = yaml.safe_load(open(DEMO))
    doc["days"] = 10
    for k in ("places", "links"):   # copies: an output path may land on one (an old migsim wrote over it)
        copy_to = os.path.join(d, "demo-" + k + ".csv")
        if not os.path.exists(copy_to):
            shutil.copy(os.path.join(SRC, "configs", doc["network"][k]), copy_to)
        doc["network"][k] = copy_to
    return doc


def write_yaml(path, doc):
    with open(path, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True)


class Campaign:
    def __init__(self):
        self.rows = []

    def run(self, kind, label, args, damaged, need_line=False, out="out.h5", cwd=None):
        cwd = cwd or WORK
        t0 = time.time()
        try:
            p = subprocess.run([MIGSIM] + args, cwd=cwd, capture_output=True, text=True, errors="replace",
                               timeout=TIMEOUT)
            rc, err = p.returncode, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, err = "hang", (e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes) else ""
        dt = time.time() - t0
        left = [f for f in os.listdir(cwd) if re.search(r"\.tmp\.\d+$", f)]
        out_path = os.path.join(cwd, out) if out else None
        if rc != 0 and out_path and os.path.isfile(out_path):
            left.append(out)
        lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("migsim: warning")]
        san = bool(SANITIZER.search(err))
        crash = rc == "hang" or (isinstance(rc, int) and (rc < 0 or rc >= 128))
        clear = True
        if rc not in (0, "hang"):
            names = [os.path.basename(n) for n in ((damaged,) if isinstance(damaged, str) else damaged)]
            named = [ln for ln in lines if not re.fullmatch(r"migsim: \d+ problems", ln)]
            clear = bool(named) and all(any(n in ln for n in names) and
                                        (not need_line or re.search(r":\d+(:\d+)?:", ln) is not None)
                                        for ln in named)
        self.rows.append(dict(kind=kind, label=label, rc=rc, time=dt, san=san, crash=crash, left=left,
                              clear=clear, msg=(lines[0] if lines else "")[:200], nlines=len(lines)))
        for f in left:
            p = os.path.join(cwd, f)
            os.remove(p) if os.path.isfile(p) else None
        if out_path and os.path.isfile(out_path):
            os.remove(out_path)

    def report(self):
        bad = 0
        for r in self.rows:
            flags = [n for n, on in (("SANITIZER", r["san"]), ("CRASH", r["crash"]), ("LEFT " + " ".join(r["left"]),
                     bool(r["left"])), ("UNCLEAR", not r["clear"]), ("ACCEPTED", r["rc"] == 0)) if on]
            if flags:
                print(f"{r['kind']:10} {r['label']:55} exit {r['rc']!s:4} {' '.join(flags)}: {r['msg']}")
            bad += r["san"] or r["crash"] or bool(r["left"]) or not r["clear"]
        n = len(self.rows)
        count = lambda f: sum(1 for r in self.rows if f(r))
        slow = max(self.rows, key=lambda r: r["time"])
        print(f"\n{n} inputs: {count(lambda r: r['rc'] not in (0, 'hang'))} refused "
              f"({count(lambda r: r['rc'] not in (0, 'hang') and r['clear'])} with a clear message), "
              f"{count(lambda r: r['rc'] == 0)} accepted, {count(lambda r: r['crash'] and r['rc'] != 'hang')} crashes, "
              f"{count(lambda r: r['san'])} sanitizer reports, {count(lambda r: r['rc'] == 'hang')} hangs, "
              f"{count(lambda r: not r['clear'])} unclear messages, {count(lambda r: bool(r['left']))} with files left "
              f"behind; longest {slow['time']:.1f} s ({slow['kind']} {slow['label']})")
        return 1 if bad else 0


def yaml_cases(c):
    doc = base_scenario(WORK)
    for path in list(leaves(doc)):
        variants = [("deleted", None), ("misspelt", None)] + BAD_VALUES
        for name, value in variants:
            d = copy.deepcopy(doc)
            par, key = parent(d, path), path[-1]
            if name == "deleted":
                del par[key]
            elif name == "misspelt":
                if isinstance(key, int):
                    continue
                par[key[:-2] + key[-1] + key[-2] if len(key) > 2 else key + "x"] = par.pop(key)
            else:
                par[key] = value
            f = os.path.join(WORK, "s.yaml")
            write_yaml(f, d)
            c.run("yaml", f"{dotted(path)} {name}", ["run", f, "-o", "out.h5", "--quiet", "--threads", "1"], f,
                  need_line=True)


CSV_DAMAGE = {
    "empty": lambda rows: "",
    "header only": lambda rows: rows[0],
    "column missing": lambda rows: "".join(",".join(r.split(",")[1:]) for r in rows),
    "column added": lambda rows: "".join(r.rstrip("\n") + ",x\n" for r in rows),
    "number as text": lambda rows: rows[0] + rows[1].replace(",", ",abc,", 1).replace(",abc,", ",", 1)
    .replace(rows[1].split(",")[3], "abc", 1) + "".join(rows[2:]),
    "duplicate row": lambda rows: "".join(rows) + rows[1],
    "non-UTF-8": lambda rows: rows[0] + "\udcff" + "".join(rows[1:]),
    "NUL byte": lambda rows: rows[0] + "\0" + "".join(rows[1:]),
    "unknown name": lambda rows: rows[0] + "Nowhere" + rows[1][rows[1].index(","):] + "".join(rows[2:]),
    "negative number": lambda rows: rows[0] + rows[1].replace(rows[1].split(",")[3], "-5", 1) + "".join(rows[2:]),
    "nan": lambda rows: rows[0] + rows[1].replace(rows[1].split(",")[3], "nan", 1) + "".join(rows[2:]),
    "long line": lambda rows: rows[0] + "x" * 2_000_000 + "\n" + "".join(rows[1:]),
    "unterminated quote": lambda rows: rows[0] + '"' + "".join(rows[1:]),
    "binary garbage": lambda rows: bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8))
    .decode("latin-1"),
}


def csv_cases(c):
    for table in ("places", "links"):
        rows = open(os.path.join(SRC, "configs", "demo", table + ".csv")).readlines()
        for name, damage in CSV_DAMAGE.items():
            f = os.path.join(WORK, table + ".csv")
            with open(f, "w", encoding="utf-8", errors="surrogateescape") as out:
                out.write(damage(rows))
            d = base_scenario(WORK)
            d["network"][table] = f
            write_yaml(os.path.join(WORK, "s.yaml"), d)
            # a damaged places table may surface as unknown places in links.csv, an empty links
            # table as unreachable sources in the scenario
            c.run("csv", f"{table}.csv {name}", ["run", os.path.join(WORK, "s.yaml"), "-o", "out.h5", "--quiet"],
                  (f, "demo-links.csv", "s.yaml"))


CHECKPOINT_DAMAGE = [("agents/loc", "resize", 100000), ("agents/loc", 5, 40), ("agents/nat", 5, 999),
                     ("agents/group", 5, 123456), ("agents/progress", 5, float("nan")), ("agents/progress", 5, -1),
                     ("agents/progress", 5, 5000), ("agents/pace", 5, 0), ("agents/origin", 5, 999),
                     ("agents/held_by", 5, 3), ("agents/state", 5, 9), ("agents/flags", 5, 7),
                     ("agents/loc", "resize", 0)]


def checkpoint_cases(c):
    s = os.path.join(WORK, "s.yaml")
    write_yaml(s, base_scenario(WORK))
    subprocess.run([MIGSIM, "run", s, "-o", "d.h5", "--quiet", "--stop-after", "5"], cwd=WORK, capture_output=True)
    ck = os.path.join(WORK, "d.h5.ckpt")
    for name, where, value in CHECKPOINT_DAMAGE:
        f = os.path.join(WORK, "c.ckpt")
        data = open(ck, "rb").read()   # without its seal, re-sealed after the damage (as a forger would)
        open(f, "wb").write(data[:-len(SEAL) - 65] if data[-len(SEAL) - 65:].startswith(SEAL) else data)
        with h5py.File(f, "r+") as h:
            v = h[name][...]
            if where == "resize":
                del h[name]
                h.create_dataset(name, data=np.resize(v, value))
            else:
                v[where] = value
                h[name][...] = v
        body = open(f, "rb").read()
        open(f, "ab").write(SEAL + hashlib.sha256(body).hexdigest().encode() + b"\n")
        c.run("checkpoint", f"{name} {where}={value}", ["run", s, "-o", "out.h5", "--quiet", "--restart", f], f)
    data = open(ck, "rb").read()
    for seed in range(1, 11):
        rng = np.random.default_rng(seed)
        b = bytearray(data)
        for i in rng.integers(0, len(b), 8):
            b[i] ^= 1 << int(rng.integers(0, 8))
        f = os.path.join(WORK, "c.ckpt")
        open(f, "wb").write(b)
        c.run("checkpoint", f"8 bit flips, seed {seed}", ["run", s, "-o", "out.h5", "--quiet", "--restart", f], f)
    for f in ("d.h5", "d.h5.ckpt"):
        os.remove(os.path.join(WORK, f)) if os.path.exists(os.path.join(WORK, f)) else None


def output_cases(c):
    s = os.path.join(WORK, "s.yaml")
    write_yaml(s, base_scenario(WORK))
    os.makedirs(os.path.join(WORK, "adir"), exist_ok=True)
    try:   # a character device of its own (as /dev/null; an old migsim replaced the device, as root)
        if not os.path.exists(os.path.join(WORK, "null")):
            os.mknod(os.path.join(WORK, "null"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pass
    for label, out in (("a device", "null"), ("the scenario itself", s), ("a folder", "adir"),
                       ("a missing folder", "nodir/out.h5"), ("the places CSV", base_scenario(WORK)["network"]["places"]),
                       ("a FIFO", "fifo")):
        if out == "null" and not os.path.exists(os.path.join(WORK, "null")):
            continue
        if out == "fifo" and not os.path.exists(os.path.join(WORK, "fifo")):
            os.mkfifo(os.path.join(WORK, "fifo"))
        inputs = (s, base_scenario(WORK)["network"]["places"])
        before = [open(f, "rb").read() for f in inputs]
        c.run("output", f"-o {label}", ["run", s, "-o", out, "--quiet"], os.path.basename(out), out=None)
        if out == "null" and not stat.S_ISCHR(os.stat(os.path.join(WORK, "null")).st_mode):
            c.rows[-1]["left"].append("device replaced")
            os.remove(os.path.join(WORK, "null"))
        for f, b in zip(inputs, before):
            if open(f, "rb").read() != b:
                c.rows[-1]["left"].append(os.path.basename(f) + " overwritten")
                open(f, "wb").write(b)


def resource_cases(c):
    s = os.path.join(WORK, "s.yaml")
    deep = os.path.join(WORK, "deep.yaml")
    open(deep, "w").write("a: " + "[" * 100000 + "]" * 100000 + "\n")
    c.run("resource", "YAML nesting depth 100000", ["check", deep], deep, need_line=True)
    for label, change in (("places: /dev/zero", lambda d: d["network"].update(places="/dev/zero")),
                          ("rate 1e9, 2 days", lambda d: (d["sources"][0].update(rate=1e9), d.update(days=2))),
                          ("max_agents: 10", lambda d: d.update(max_agents=10)),
                          ("start_date 0000-01-01", lambda d: d.update(start_date="0000-01-01")),
                          ("start_date 9999-12-31", lambda d: d.update(start_date="9999-12-31")),
                          ("days 2147483648", lambda d: d.update(days=2147483648)),
                          ("seed -1", lambda d: d.update(seed=-1))):
        d = base_scenario(WORK)
        change(d)
        write_yaml(s, d)
        c.run("resource", label, ["run", s, "-o", "out.h5", "--quiet"], s, need_line="1e9" not in label)
    write_yaml(s, base_scenario(WORK))
    open(s, "a").write("---\nname: second\n")
    c.run("resource", "a second YAML document", ["run", s, "-o", "out.h5", "--quiet"], s, need_line=True)
    write_yaml(s, base_scenario(WORK))
    raw = open(s, "rb").read().replace(b"name: demo", b"name: d\xffmo")
    open(s, "wb").write(raw)
    c.run("resource", "non-UTF-8 scenario name", ["run", s, "-o", "out.h5", "--quiet"], s, need_line=True)
    write_yaml(s, base_scenario(WORK))
    for label, setting in (("--set index overflow", "sources[99999999999999999999].rate=1"),
                           ("--set unknown key", "movment.distance_power=2"),
                           ("--set bad value", "days=ten")):
        c.run("resource", label, ["run", s, "-o", "out.h5", "--quiet", "--set", setting], "--set " + setting)


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    c = Campaign()
    for part in (yaml_cases, csv_cases, checkpoint_cases, output_cases, resource_cases):
        part(c)
    sys.exit(c.report())


if __name__ == "__main__":
    main()
