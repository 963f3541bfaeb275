#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Import a Flee scenario folder as a migsim scenario for the `flee` model.

    scripts/import_flee.py DIR -o OUT/scenario.yaml [--settings SIMSETTING.yml] [--seed N]

DIR is a Flee input folder (input_csv/ and source_data/, as FabFlee's config_files/<name>/).
Writes OUT/places.csv and OUT/links.csv (the network: locations.csv and routes.csv, a
camp's population as its capacity, every route two links) and OUT/scenario.yaml (model
flee; start date and length from sim_period.csv; Flee's settings in the `flee:` section and
capacity_buffer / capacity_scaling in `movement:`). The dated tables (conflicts, closures,
registration corrections, the UNHCR series and data_layout.csv) are read by the model
itself from DIR at run time, with their own checks. Run the result with
`migsim run OUT/scenario.yaml -o out.h5`.

Settings keys the flee model does not implement are refused (file:line:column: key:
message), never ignored; keys absent from the settings file take Flee's code defaults.
Logging keys (log_levels) change no result and are accepted.
"""
import argparse
import csv
import math
import os
import sys

import yaml

KIND = {"conflict_zone": "origin", "town": "town", "camp": "camp", "idpcamp": "camp", "forwarding_hub": "town"}

# Flee's code defaults (flee/SimulationSettings.py at djgroen/flee 02cd2cbd) for the keys the
# model implements: Flee key -> (section in migsim, migsim key, default, type).
MOVE_RULES = {
    "awareness_level": ("flee", "awareness_level", 1, int),
    "max_move_speed": ("flee", "max_move_speed", 360.0, float),
    "max_walk_speed": ("flee", "max_walk_speed", 35.0, float),
    "start_on_foot": ("flee", "start_on_foot", False, bool),
    "avoid_short_stints": ("flee", "avoid_short_stints", False, bool),
    "softening": ("flee", "softening", 10.0, float),
    "distance_power": ("flee", "distance_power", 1.0, float),
    "camp_weight": ("flee", "camp_weight", 1.0, float),
    "foreign_weight": ("flee", "foreign_weight", 1.0, float),
    "conflict_weight": ("flee", "conflict_weight", 1.0 / math.sqrt(10.0), float),
    "default_movechance": ("flee", "default_movechance", 0.3, float),
    "conflict_movechance": ("flee", "conflict_movechance", 1.0, float),
    "camp_movechance": ("flee", "camp_movechance", 0.001, float),
    "idpcamp_movechance": ("flee", "idpcamp_movechance", 0.1, float),
    "capacity_buffer": ("movement", "capacity_buffer", 0.9, float),
    "capacity_scaling": ("movement", "capacity_scaling", 1.0, float),
}
SPAWN_RULES = {
    "conflict_spawn_decay": ("flee", "spawn_decay", None, list),
    "conflict_spawn_decay_interval": ("flee", "spawn_decay_interval", 30, int),
}
# Keys accepted only with the value the model implements (Flee's default or the validation runs').
FIXED = {
    ("spawn_rules", "sum_from_camps"): True,
    ("spawn_rules", "empty_camps_on_day0"): False,
    ("spawn_rules", "insert_day0"): True,
    ("spawn_rules", "take_from_population"): False,
    ("move_rules", "weight_power"): 1.0,
    ("move_rules", "weight_softening"): 0.0,
    ("optimisations", "hasten"): 1,
}


class ImportError_(Exception):
    pass


def where(path, node):
    return f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def read_settings(path):
    """The settings file's values for the migsim scenario: {(section, key): value}."""
    out = {}
    for spec in list(MOVE_RULES.values()) + list(SPAWN_RULES.values()):
        out[(spec[0], spec[1])] = spec[2]
    if path is None:
        return out
    with open(path) as f:
        root = yaml.compose(f)
    if root is None:
        return out
    if not isinstance(root, yaml.MappingNode):
        raise ImportError_(f"{where(path, root)}: expected a mapping of sections")
    for knode, section in root.value:
        name = knode.value
        if name == "log_levels":
            continue
        table = {"move_rules": MOVE_RULES, "spawn_rules": SPAWN_RULES, "optimisations": {}}.get(name)
        if table is None:
            raise ImportError_(f"{where(path, knode)}: {name}: section not supported by the flee model "
                               "(expected log_levels, spawn_rules, move_rules or optimisations)")
        for k2, vnode in section.value:
            key = k2.value
            value = yaml.safe_load(yaml.serialize(vnode))
            if (name, key) in FIXED:
                if value != FIXED[(name, key)]:
                    raise ImportError_(f"{where(path, vnode)}: {name}.{key}: only {FIXED[(name, key)]} is "
                                       f"supported by the flee model, got {value}")
                continue
            if key not in table:
                raise ImportError_(f"{where(path, k2)}: {name}.{key}: not supported by the flee model")
            sect, mkey, _default, typ = table[key]
            if typ is list:
                if not isinstance(value, list) or not all(isinstance(x, (int, float)) for x in value):
                    raise ImportError_(f"{where(path, vnode)}: {name}.{key}: expected a list of numbers")
            elif typ is bool:
                if not isinstance(value, bool):
                    raise ImportError_(f"{where(path, vnode)}: {name}.{key}: expected true or false, got {value}")
            elif not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ImportError_(f"{where(path, vnode)}: {name}.{key}: expected a number, got {value}")
            out[(sect, mkey)] = typ(value) if typ is not list else [float(x) for x in value]
    return out


def rows(path):
    """(line, cells) of a CSV file, skipping blank lines and '#' comments (Flee's header)."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        for cells in reader:
            if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
                continue
            yield reader.line_num, [c.strip() for c in cells]


def number(path, line, col, field, text):
    try:
        v = float(text)
    except ValueError:
        raise ImportError_(f"{path}:{line}:{col}: {field}: expected a number, got \"{text}\"") from None
    if not math.isfinite(v):
        raise ImportError_(f"{path}:{line}:{col}: {field}: expected a finite number, got \"{text}\"")
    return v


def read_locations(src):
    path = os.path.join(src, "input_csv", "locations.csv")
    places = []
    for line, c in rows(path):
        if len(c) < 8:
            raise ImportError_(f"{path}:{line}:{len(c) + 1}: expected 8 columns (name, region, country, "
                               f"latitude, longitude, location_type, conflict_date, population), got {len(c)}")
        if c[5] not in KIND:
            raise ImportError_(f"{path}:{line}:6: location_type: unsupported location type \"{c[5]}\" "
                               "(expected conflict_zone, town, camp, idpcamp or forwarding_hub)")
        lat = number(path, line, 4, "latitude", c[3])
        lon = number(path, line, 5, "longitude", c[4])
        pop = number(path, line, 8, "population", c[7]) if c[7] else 0.0
        cap = int(pop) if c[5] == "camp" and pop > 0 else 0
        places.append((c[0], c[2], KIND[c[5]], lat, lon, cap))
    return path, places


def read_routes(src, names):
    path = os.path.join(src, "input_csv", "routes.csv")
    links = []
    for line, c in rows(path):
        if len(c) < 3:
            raise ImportError_(f"{path}:{line}:{len(c) + 1}: expected name1, name2, distance[, forced_redirection]")
        for j in (0, 1):
            if c[j] not in names:
                raise ImportError_(f"{path}:{line}:{j + 1}: name{j + 1}: unknown location \"{c[j]}\" "
                                   "(not in locations.csv)")
        km = number(path, line, 3, "distance", c[2])
        if km <= 0:
            raise ImportError_(f"{path}:{line}:3: distance: expected a positive distance in km, got {c[2]}")
        links.append((c[0], c[1], km))
    return links


def read_period(src):
    path = os.path.join(src, "input_csv", "sim_period.csv")
    start = length = None
    for line, c in rows(path):
        if c[0] == "StartDate" and len(c) > 1:
            start = c[1]
        elif c[0] == "Length" and len(c) > 1:
            length = int(number(path, line, 2, "Length", c[1]))
        else:
            raise ImportError_(f"{path}:{line}:1: {c[0]}: unknown entry (expected StartDate or Length)")
    if start is None or length is None:
        raise ImportError_(f"{path}: StartDate and Length are required")
    return start, length


def write_tables(out_dir, places, links):
    with open(os.path.join(out_dir, "places.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "country", "kind", "lat", "lon", "capacity", "source"])
        for p in places:
            w.writerow(list(p) + ["Flee locations.csv"])
    with open(os.path.join(out_dir, "links.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["from", "to", "distance_km", "mode", "two_way", "source"])
        for a, b, km in links:
            w.writerow([a, b, km, "foot", 1, "Flee routes.csv"])


def scenario_text(src, out_dir, settings_path, settings, start, days, seed):
    flee = {k: v for (s, k), v in settings.items() if s == "flee"}
    if flee.get("spawn_decay") is None:
        flee["spawn_decay"] = [1.0]  # Flee without conflict_spawn_decay: no decay
    move = {k: v for (s, k), v in settings.items() if s == "movement"}
    rel = os.path.relpath(os.path.abspath(src), os.path.abspath(out_dir))
    if rel.startswith(os.pardir + os.sep + os.pardir + os.sep):
        rel = os.path.abspath(src)  # far apart: the absolute path reads better
    lines = [f"# Imported by scripts/import_flee.py from the Flee folder {src}",
             f"# with settings {settings_path or '(none: Flee code defaults)'}.",
             f"name: {os.path.basename(os.path.normpath(src))}",
             "model: flee", f"start_date: {start}", f"days: {days}", f"seed: {seed}",
             "network: {places: places.csv, links: links.csv}", "nationalities: [ALL]",
             "sources: []                 # the flee model spawns from the registrations",
             "movement:"]
    lines += [f"  {k}: {v!r}" for k, v in move.items()]
    lines += ["flee:", f"  input: {rel}"]
    for k, v in flee.items():
        lines.append(f"  {k}: {str(v).lower() if isinstance(v, bool) else repr(v)}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", help="Flee input folder (input_csv/, source_data/)")
    ap.add_argument("-o", "--output", required=True, help="scenario YAML to write (its folder gets the CSVs)")
    ap.add_argument("--settings", help="Flee simsetting.yml (default: Flee's code defaults)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    try:
        settings = read_settings(a.settings)
        _path, places = read_locations(a.src)
        links = read_routes(a.src, {p[0] for p in places})
        start, days = read_period(a.src)
    except ImportError_ as e:
        print(f"import_flee: {e}", file=sys.stderr)
        return 65
    except OSError as e:
        print(f"import_flee: {e.filename}: {e.strerror}", file=sys.stderr)
        return 66
    out_dir = os.path.dirname(os.path.abspath(a.output))
    os.makedirs(out_dir, exist_ok=True)
    write_tables(out_dir, places, links)
    text = scenario_text(a.src, out_dir, a.settings, settings, start, days, a.seed)
    tmp = a.output + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, a.output)
    print(f"import_flee: wrote {a.output} ({len(places)} places, {len(links)} routes, {days} days from {start})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
