# SPDX-License-Identifier: GPL-3.0-or-later
# The set-up test_sobol.sh and test_sobol_minus.sh share, sourced by them as
#   source "$(dirname "$0")/sobol_setup.sh" TEST_NAME "$@"
# with the test's arguments MIGSIM_BINARY SOURCE_DIR WORK_DIR: checks them (usage, exit 64),
# sets migsim and src, makes WORK_DIR empty and enters it (work), defines fail (a message
# naming the test, exit 1) and writes s.yaml, the tiny scenario both sweep: the demo network,
# 31 days, two sources with constant rates.
[ $# -eq 4 ] || { echo "usage: $0 MIGSIM_BINARY SOURCE_DIR WORK_DIR" >&2; exit 64; }
sobol_test=$1
migsim=$(realpath "$2") src=$(realpath "$3") work=$4
rm -rf "$work" && mkdir -p "$work"
work=$(realpath "$work")
cd "$work"
fail() { echo "$sobol_test: FAILED: $*" >&2; exit 1; }

cat > s.yaml <<EOS
name: tiny
start_date: 2023-01-01
days: 31
network: {places: $src/configs/demo/places.csv, links: $src/configs/demo/links.csv}
nationalities: [VENEZUELA, HONDURAS]
sources:
  - {place: Caracas, nationality: VENEZUELA, rate: 60}
  - {place: Tegucigalpa, nationality: HONDURAS, rate: 20.5}
speed_km_per_day: {foot: 15, boat: 200, bus: 600, rail: 250, air: 5000}
EOS
