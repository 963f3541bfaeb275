#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The calibration of configs/corridor/corridor.yaml: one `migsim calibrate` call that rewrites
# the scenario in place (values replaced, comments kept). Each round first matches every
# nationality's sources (hazard base rates and Darien forcing scales, one level each) to its
# observed fiscal-year totals over the window (--levels), then runs GSL's Nelder-Mead simplex
# over the other fitted numbers below on
#     objective = monthly MAPE / 0.15 + top-10 citizenship FY error / 0.15
#                 + share error / 0.05   (sectors' shares of USBP and the ports' share of all)
#                 + 4 x band excess      (how far values outside their bands lie beyond them)
# Where each nationality crosses is not fitted (corridor.sector_choice derives it from the
# record over its window). The calibration record counts the fitted numbers.
#
#   configs/corridor/calibrate.sh [MIGSIM] [EVALS] [SCALE]
#
# MODE=oos fits on October 2020 - September 2022 only, into corridor-fy2021-fy2022.yaml (the
# out-of-sample check: README "Forecast"): the sector shares are estimated over the same
# window, and the numbers that only data after it could inform are set a priori (APRIORI
# below, each a stated assumption) instead of fitted, and reports October 2022 - September 2023
# as its validation window; REFIT=1 refits an existing corridor-fy2021-fy2022.yaml in place
# instead of copying the scenario again. THREADS=N: N threads (same results).
set -euo pipefail
cd "$(dirname "$0")/../.."
migsim=${1:-build/migsim}
evals=${2:-300} scale=${3:-0.05}
scenario=configs/corridor/corridor.yaml

# hazards: 0 MEXICO, 1 GUATEMALA, 2 HONDURAS, 3 EL SALVADOR, 4 NICARAGUA, 5 CUBA, 6 VENEZUELA (air),
# 7 ECUADOR (air), 8 COLOMBIA, 9 PERU, 10 BRAZIL, 11 OTHER (air), 12 HAITI (charter, derived),
# 13 CUBA (from the CHNV process, derived; 12 and 13 are not levels: level: false)
h() { echo "corridor.hazards[$1].terms[$2].$3"; }
season_cos="$(h 0 0 beta),$(h 1 1 beta),$(h 2 1 beta),$(h 3 1 beta),$(h 4 3 beta),$(h 5 1 beta),$(h 6 1 beta)"
season_cos+=",$(h 7 1 beta),$(h 8 1 beta),$(h 9 1 beta),$(h 10 2 beta),$(h 11 0 beta)"
season_sin="$(h 0 1 beta),$(h 1 2 beta),$(h 2 2 beta),$(h 3 2 beta),$(h 4 4 beta),$(h 5 2 beta),$(h 6 2 beta)"
season_sin+=",$(h 7 2 beta),$(h 8 2 beta),$(h 9 2 beta),$(h 10 3 beta),$(h 11 1 beta)"
mpp="$(h 1 0 beta),$(h 2 0 beta),$(h 3 0 beta),$(h 4 2 beta),$(h 6 0 beta),$(h 7 0 beta),$(h 8 0 beta)"
mpp+=",$(h 9 0 beta),$(h 10 1 beta)"
o() { echo "corridor.outcomes[$1].$2"; }
t42_mca="$(o 1 title42_expel),$(o 2 title42_expel),$(o 3 title42_expel),$(o 4 title42_expel)"
retry_mx="$(o 1 retry_expelled),$(o 1 retry_removed)"
retry_ca="$(o 2 retry_expelled),$(o 3 retry_expelled),$(o 4 retry_expelled)"
chnv() { echo "$(o 5 "$1"),$(o 6 "$1"),$(o 7 "$1"),$(o 8 "$1")"; }
wait_t='packages[tapachula-asylum].interventions[haitians-wait].factor'
wait_c='packages[tapachula-asylum].interventions[haitians-wait-cbp-one].factor'

# fitted on any window (the levels are fitted by --levels, one per source of a nationality)
params=(
  --param 'movement.move_probability.origin=0.01:0.5'
  --param 'movement.move_probability.town=0.2:1'
  --param 'corridor.ports.attraction=0.001:1'
  --param "$season_cos=-1:1"
  --param "$season_sin=-1:1"
  --param "$mpp=-1:3"
  --param "$(h 4 0 beta)=-0.02:0.04"                 # Nicaragua: political prisoners
  --param "$(h 10 0 beta)=-4:1"                      # Brazil: Mexico's visa
  --param "$(h 8 3 beta),$(h 9 3 beta)=0:6"           # air routes of Colombia and Peru: growth
  --param "$(h 8 3 max),$(h 9 3 max)=0.3:3"           # ... saturating after max years
  --param "$t42_mca=0.3:0.9"
  --param "$(o 1 remove)=0.05:0.98"
)
if [ "${MODE:-full}" = oos ]; then
  out=configs/corridor/corridor-fy2021-fy2022.yaml
  window=2020-10:2022-09
  validate=(--validate 2022-10:2023-09)
  # A PRIORI (not fitted: only data after September 2022 could inform them), written into a
  # copy of the scenario, which is then fitted in place:
  # - the sector shares are estimated over the training window's last fiscal year (as the
  #   default scenario's are over its own: 2021-10/2022-09 here);
  # (the CHNV process's effect on Cubans and Nicaraguans is derived, not fitted, in both
  # scenarios: package chnv-parole, from the Venezuelans' Darien series after 2022-10-12);
  # - Venezuelans, Cubans, Haitians and Nicaraguans are expelled under Title 42 half the time
  #   (ASSUMPTION: Mexico's acceptance was capped, M-POL-01) and retry as Mexicans do (tied);
  # - CBP One: half of those at the eight ports' cities wait, 5 % a day give up (ASSUMPTION);
  # - once appointments can be requested only from central and northern Mexico (M-CBP-01),
  #   nothing holds Haitians at Tapachula: the wait factor from 2023-01-18 is 1 (ASSUMPTION).
  [ "${REFIT:-0}" = 1 ] && [ -f "$out" ] || /usr/bin/python3 - "$scenario" "$out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
edits = [
    (r"(    window: )2022-10/2023-09", r"\g<1>2021-10/2022-09", 1),
    (r"(nationality: (?:VENEZUELA|CUBA|HAITI|NICARAGUA), title42_from: [0-9-]+, title42_expel: )[0-9.e-]+",
     r"\g<1>0.5", 4),
    (r"(wait_probability: )[0-9.e-]+", r"\g<1>0.5", 1),
    (r"(give_up_probability: )[0-9.e-]+", r"\g<1>0.05", 1),
    (r"(name: haitians-wait-cbp-one\n(?:.*\n)*?        factor: )[0-9.e-]+", r"\g<1>1.0", 1),
]
for pat, rep, n in edits:
    t, k = re.subn(pat, rep, t)
    assert k == n, (pat, k)
# the copy's fitted numbers are those fitted on the training window: the default scenario's
# record (and the fitted list it carries) is not part of it
t = t[:t.index("\ncalibration:") + 1]
open(sys.argv[2], "w").write(t)
PY
  scenario=$out
  params+=(--param "$retry_mx,$(chnv retry_expelled)=0:0.95" --param "$retry_ca=0:0.95"
           --param "$wait_t=0.0005:1")
else
  out=$scenario
  window=2020-10:2023-09
  validate=()
  params+=(--param "$retry_mx=0:0.95" --param "$retry_ca=0:0.95"
           --param "$(chnv title42_expel)=0.05:0.95" --param "$(chnv retry_expelled)=0.05:0.95"
           --param 'corridor.cbp_one.wait_probability=0.01:0.99'
           --param 'corridor.cbp_one.give_up_probability=0:0.2'
           --param "$wait_t=0.0005:1" --param "$wait_c=0.0005:1")
fi
"$migsim" calibrate "$scenario" -o "$out" --levels --window "$window" --scale "$scale" \
  --threads "${THREADS:-1}" --rounds 2 --max-evals "$evals" "${validate[@]}" "${params[@]}"
