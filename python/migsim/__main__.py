# SPDX-License-Identifier: GPL-3.0-or-later
"""python3 -m migsim export RUN.h5 --csv DIR [--monthly]: a run's tidy CSV tables
(migsim_analysis.export_csv). Exit status 0, 64 usage, 66 no such run, 74 cannot write."""
import argparse
import sys


def _export(args):
    from migsim_analysis import export_csv

    try:
        paths = export_csv(args.run, args.csv, monthly=args.monthly)
    except FileNotFoundError as e:
        print(f"migsim export: {e}", file=sys.stderr)
        return 66
    except OSError as e:
        print(f"migsim export: {args.csv}: {e.strerror or e}", file=sys.stderr)
        return 74
    print(f"{args.run}: {len(paths)} tables in {args.csv}")
    from migsim_analysis import agents_per_person
    per = agents_per_person(args.run)
    if per != 1:
        print(f"counts are agents, {per:g} per person: divide by {per:g} for persons "
              f"(variables.csv, provenance.csv)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m migsim")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="tidy CSV tables of a run, one per variable")
    export.add_argument("run", help="a migsim output (HDF5)")
    export.add_argument("--csv", required=True, metavar="DIR", help="folder to write")
    export.add_argument("--monthly", action="store_true", help="months instead of days")
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return 64 if e.code else 0
    return _export(args)


if __name__ == "__main__":
    sys.exit(main())
