#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Replaces a corridor scenario's `sector_choice` block with an `attraction_by_nationality`
block of factors 1 on the nine Border Patrol sectors, one row per nationality, in place: the
scenario `migsim calibrate --sectors` needs (it fits those factors).

Usage: with_factors.py SCENARIO.yaml"""
import re
import sys

path = sys.argv[1]
text = open(path).read()
nats = re.search(r"^nationalities: \[(.*?)\]", text, re.S | re.M).group(1).replace("\n", " ").split(",")
rows = "".join("      - {nationality: %s, values: [1, 1, 1, 1, 1, 1, 1, 1, 1]}\n" % n.strip() for n in nats)
block = ("  attraction_by_nationality:\n    places: [San Diego, El Centro, Yuma, Tucson, El Paso, Big Bend, Del Rio,"
         " Laredo, Rio Grande Valley]\n    factors:\n" + rows)
text, n = re.subn(r"^  sector_choice:\n(    .*\n)+", block, text, flags=re.M)
if n != 1:
    sys.exit("with_factors.py: %s has no sector_choice block" % path)
open(path, "w").write(text)
