#!/usr/bin/env bash
# The calibration of configs/corridor/corridor.yaml, as run: five `migsim calibrate` stages
# that rewrite the scenario in place (values replaced, comments kept). Each round of stages A-D
# first matches every nationality's sources (its hazard base rates and Darien forcing
# scales) to its observed fiscal-year totals of October 2020 - September 2023 (--levels),
# moves each nationality's sector factors towards its sector shares estimated from the
# record (--sectors), then runs GSL's Nelder-Mead simplex over the stage's parameters on
#     objective = monthly MAPE / 0.15 + top-10 citizenship FY error / 0.15
#                 + share error / 0.05   (sectors' shares of USBP and the ports' share of all)
#                 + 4 x band excess      (how far values outside their bands lie beyond them)
# and matches sectors and levels again. A matching step that does not lower the objective
# is undone, and the scenario gets the best run's values (the values as given included, so
# no stage leaves it worse than it found it).
#   A  where people cross (route-weight powers, ports, CBP One waiting; the sectors' own
#      attractiveness is left as it is, since the factors by nationality multiply it);
#   B  when and how often (hazard coefficients with the annual cycle and the air routes'
#      trends, movement timing, Title 42 outcomes);
#   C  everything together;
#   D  the terms that belong to one nationality (Honduras' food insecurity, MPP, hurricanes
#      and Title 42 end; the trends of Venezuela's and Colombia's air routes and where
#      Colombia's saturates; Brazil's visa and MPP terms; the Haitians' wait at Tapachula,
#      before and after CBP One appointments opened);
#   E  the same, one nationality at a time, each with its level as a simplex parameter and
#      without the level and sector matching (a small simplex finds what the large ones
#      miss, e.g. Brazil's visa term; the matching, least squares towards fiscal-year totals
#      and steps towards estimated sector shares, is not a step down the objective: from a
#      calibrated scenario its steps are undone, which only costs runs).
# The last stage run leaves its record (date, command, objective, every parameter) in the
# scenario.
#
#   configs/corridor/calibrate.sh [MIGSIM] [EVALS_A EVALS_B EVALS_C EVALS_D EVALS_E] [SCALE]
#
# STAGES="C D" runs only those stages (to resume); THREADS=N runs each stage on N threads
# (the same results: runs are bitwise identical for any thread count).
# Run from anywhere; paths are relative to the repository root. Defaults: build/migsim, 200 500 300 300 80 runs, scale 0.05 agents per migrant (about 0.6 s a run
# on one core; see README "Calibration").
set -euo pipefail
cd "$(dirname "$0")/../.."
migsim=${1:-build/migsim}
ea=${2:-200} eb=${3:-500} ec=${4:-300} ed=${5:-300} ee=${6:-80} scale=${7:-0.05}
scenario=configs/corridor/corridor.yaml
common=(--levels --sectors --scale "$scale" --threads "${THREADS:-1}" --rounds 2)
# INM's apprehension targets are persons times each intervention's `scale`, which --scale does
# not set: at the calibration's scale they must be scaled alike (corridor.yaml, top)
inm_scale=()
for iv in events-2022-2023 suspension-2023-12 transfers-2023-12 events-2024; do
  inm_scale+=(--set "packages[inm-upmrip].interventions[$iv].scale=$scale")
done
inm_scale+=(--set "packages[working-group].interventions[bus-rail-checks].scale=$scale")
common+=("${inm_scale[@]}")

spatial=(
  --param 'movement.distance_power=0:3'
  --param 'movement.attraction_power=0:4'
  --param 'corridor.ports.attraction=0.001:0.5'
  --param 'corridor.cbp_one.wait_probability=0.01:0.99'
  --param 'corridor.cbp_one.give_up_probability=0:0.2'
)
# the MPP suspension: one beta for Guatemala, El Salvador, Nicaragua and the air routes;
# Honduras and Brazil have their own (their encounters fell after FY2021 while the others rose)
mpp='corridor.hazards[1].terms[1].beta,corridor.hazards[3].terms[1].beta'
mpp+=',corridor.hazards[4].terms[2].beta,corridor.hazards[6].terms[0].beta,corridor.hazards[7].terms[0].beta'
mpp+=',corridor.hazards[8].terms[0].beta,corridor.hazards[9].terms[0].beta'
# the annual cycle, one pair of betas for every hazard that has it: terms before it per hazard
# (0-15; hazard 16, the Haitians' flights to Managua, has no terms; the Darien series are
# observed forcing to the run end, no longer carried forward by hazards)
before=(1 2 3 2 3 1 1 1 1 1 2 0 0 0 0 0)
season_cos='' season_sin=''
for i in "${!before[@]}"; do
  season_cos+="${season_cos:+,}corridor.hazards[$i].terms[${before[$i]}].beta"
  season_sin+="${season_sin:+,}corridor.hazards[$i].terms[$((before[$i] + 1))].beta"
done
nca() { echo "corridor.outcomes[2].$1,corridor.outcomes[3].$1,corridor.outcomes[4].$1"; }
chnv() { echo "corridor.outcomes[5].$1,corridor.outcomes[6].$1,corridor.outcomes[7].$1,corridor.outcomes[8].$1"; }
# terms of one nationality each (stage D; also part of B and C)
national=(
  --param 'corridor.hazards[2].terms[1].beta=-3:3'       # Honduras: food insecurity
  --param 'corridor.hazards[2].terms[2].beta=-2:3'       # Honduras: MPP suspension
  --param 'corridor.hazards[2].terms[5].beta=-1:2'       # Honduras: hurricanes Eta and Iota
  --param 'corridor.hazards[2].terms[6].beta=-1:1'       # Honduras: the end of Title 42 (at most x e)
  --param 'corridor.hazards[6].terms[3].beta=-2:6'       # Venezuela's air route: trend
  --param 'corridor.hazards[8].terms[3].beta=-2:6'       # Colombia's air route: trend
  --param 'corridor.hazards[8].terms[3].max=0.3:3'       # ... and the years at which it saturates
  --param 'corridor.hazards[10].terms[0].beta=-4:1'      # Brazil: Mexico's visa
  --param 'corridor.hazards[10].terms[1].beta=-2:5'      # Brazil: MPP suspension
  --param 'packages[tapachula-asylum].interventions[haitians-wait].factor=0.0005:1' # Haitians' wait at Tapachula (tapachula-asylum)
  --param 'packages[tapachula-asylum].interventions[haitians-wait-cbp-one].factor=0.0005:1' # ... once CBP One appointments opened
)
# stage E: each nationality's own terms with its level, one simplex per nationality (no
# level or sector matching: the level is a simplex parameter here)
by_nationality=(
  "corridor.hazards[2].base_rate=10:1000 corridor.hazards[2].terms[1].beta=-3:3 corridor.hazards[2].terms[2].beta=-2:3 corridor.hazards[2].terms[5].beta=-1:2 corridor.hazards[2].terms[6].beta=-1:1"
  "corridor.hazards[6].base_rate=1:300 corridor.hazards[6].terms[3].beta=-2:6"
  "corridor.hazards[8].base_rate=1:300 corridor.hazards[8].terms[3].beta=-2:6 corridor.hazards[8].terms[3].max=0.3:3"
  "corridor.hazards[10].base_rate=0.1:50 corridor.hazards[10].terms[0].beta=-4:1 corridor.hazards[10].terms[1].beta=-2:5"
  "corridor.forcing[2].scale=0.1:5 packages[tapachula-asylum].interventions[haitians-wait].factor=0.0005:1 packages[tapachula-asylum].interventions[haitians-wait-cbp-one].factor=0.0005:1"
)
temporal=(
  --param 'movement.move_probability.origin=0.02:1'
  --param 'movement.move_probability.town=0.2:1'
  --param 'movement.move_probability.border=0.1:1'
  --param 'corridor.outcomes[1].title42_expel=0.3:0.95'
  --param 'corridor.outcomes[1].retry_expelled=0.05:0.95'
  --param 'corridor.outcomes[1].remove=0.05:0.95'
  --param 'corridor.outcomes[1].retry_removed=0:0.95'
  --param "$(nca title42_expel)=0.05:0.9"
  --param "$(nca retry_expelled)=0.05:0.95"
  --param "$(chnv title42_expel)=0.05:0.95"
  --param "$(chnv retry_expelled)=0.05:0.95"
  --param "$mpp=-1:3"
  --param 'corridor.hazards[0].terms[0].beta=-0.3:0.3'
  --param 'corridor.hazards[1].terms[0].beta=-0.5:0.5'
  --param 'corridor.hazards[2].terms[0].beta=-0.3:0.3'
  --param 'corridor.hazards[3].terms[0].beta=-0.3:0.3'
  --param 'corridor.hazards[4].terms[0].beta=-0.02:0.04'
  --param 'corridor.hazards[4].terms[1].beta,corridor.hazards[5].terms[0].beta=-5:0'
  --param "$season_cos=-1:1"
  --param "$season_sin=-1:1"
  # growth of the air routes (log-rate per year): Venezuela and Ecuador (air), Colombia, Peru
  # (not Brazil: its visa term shapes it, and a trend there traded the unranked FY2023 for the
  # ranked years, which the level matching then undid)
  --param 'corridor.hazards[7].terms[3].beta=-2:4'
  --param 'corridor.hazards[9].terms[3].beta=-2:4'
  "${national[@]}"
)
stages=${STAGES:-A B C D E}
for stage in $stages; do
  case $stage in
    A) "$migsim" calibrate "$scenario" -o "$scenario" "${common[@]}" --max-evals "$ea" "${spatial[@]}" ;;
    B) "$migsim" calibrate "$scenario" -o "$scenario" "${common[@]}" --max-evals "$eb" "${temporal[@]}" ;;
    C) "$migsim" calibrate "$scenario" -o "$scenario" "${common[@]}" --max-evals "$ec" "${spatial[@]}" "${temporal[@]}" ;;
    D) "$migsim" calibrate "$scenario" -o "$scenario" "${common[@]}" --max-evals "$ed" "${national[@]}" ;;
    E) for g in "${by_nationality[@]}"; do
         read -ra keys <<<"$g"
         args=()
         for k in "${keys[@]}"; do args+=(--param "$k"); done
         "$migsim" calibrate "$scenario" -o "$scenario" --scale "$scale" --threads "${THREADS:-1}" --rounds 1 \
           --max-evals "$ee" "${inm_scale[@]}" "${args[@]}"
       done ;;
    *) echo "calibrate.sh: unknown stage $stage" >&2; exit 64 ;;
  esac
done
