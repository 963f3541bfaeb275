# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# A private single-node SLURM for tests (sourced by tests/cluster/test_cluster.sh): munged (as
# the munge user) with its own key and socket, slurmctld and slurmd (as root) with a slurm.conf,
# state, spool and logs under one folder, on free ports of 127.0.0.1. Nothing outside that
# folder and a munge folder under $TMPDIR is used, so several copies may run on one host.
#   cluster_start DIR     starts the daemons; exit 77 with the reason where they cannot run
#   cluster_stop          cancels every job, stops every daemon it started, by process id
#   cluster_wait T ID...  waits up to T seconds until jobs ID... have left the queue,
#                         releasing requeued tasks at once (SLURM holds them back 2 minutes)
#   cluster_next_tick     epoch second of slurmctld's next time-limit check (every 30 s)
# Exported: SLURM_CONF (every client command and job uses the private cluster).

cluster_pids=()
cluster_names=()   # the daemon of each pid; its output is in DIR/NAME.out
cluster_munge=""

cluster_skip() { echo "SKIP: $*"; exit 77; }

# two free TCP ports on 127.0.0.1
cluster_ports() {
  /usr/bin/python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])'
}

cluster_conf() {
  local dir=$1 ctld_port=$2 slurmd_port=$3 host cpus mem
  host=$(hostname -s)
  cpus=$(nproc); ((cpus >= 2)) || cpus=2           # two MPI ranks need two CPUs
  mem=$(awk '/^MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
  cat > "$dir/slurm.conf" <<EOF
ClusterName=migsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$cluster_munge/socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=debug2
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=node1 NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=node1 Default=YES MaxTime=INFINITE State=UP
EOF
}

cluster_munged() {
  cluster_munge=$(mktemp -d "${TMPDIR:-/tmp}/migsim-munge.XXXXXX")
  chmod 711 "$cluster_munge"
  head -c 1024 /dev/urandom > "$cluster_munge/key"
  chmod 600 "$cluster_munge/key"
  chown -R munge:munge "$cluster_munge"
  setpriv --reuid=munge --regid=munge --init-groups munged --foreground \
    --key-file="$cluster_munge/key" --socket="$cluster_munge/socket" --pid-file="$cluster_munge/pid" \
    --log-file="$cluster_munge/log" --seed-file="$cluster_munge/seed" 2>"$1/munged.out" &
  cluster_pids+=($!) cluster_names+=(munged)
  for _ in $(seq 50); do
    [ -S "$cluster_munge/socket" ] && munge -n -S "$cluster_munge/socket" | unmunge -S "$cluster_munge/socket" >/dev/null 2>&1 && return 0
    kill -0 "${cluster_pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  cluster_skip "munged did not start: $(tail -2 "$1/munged.out" | tr '\n' ' ')"
}

cluster_start() {
  local dir=$1 ctld_port slurmd_port
  [ "$(id -u)" = 0 ] || cluster_skip "not root (the daemons must run as root and as the munge user)"
  local c missing=()
  for c in munged munge unmunge slurmctld slurmd sbatch squeue scontrol scancel sacct setpriv; do
    command -v "$c" >/dev/null || missing+=("$c")
  done
  ((${#missing[@]} == 0)) || cluster_skip "missing ${missing[*]} (scripts/deps.sh test installs slurmctld slurmd slurm-client munge)"
  getent passwd munge >/dev/null || cluster_skip "no munge user (package munge)"
  mkdir -p "$dir/state" "$dir/spool"
  trap cluster_stop EXIT
  trap 'exit 130' INT TERM
  cluster_munged "$dir"
  read -r ctld_port slurmd_port < <(cluster_ports)
  cluster_conf "$dir" "$ctld_port" "$slurmd_port"
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -D -f "$SLURM_CONF" >"$dir/slurmctld.out" 2>&1 &
  cluster_pids+=($!) cluster_names+=(slurmctld)
  slurmd -D -N node1 -f "$SLURM_CONF" >"$dir/slurmd.out" 2>&1 &
  cluster_pids+=($!) cluster_names+=(slurmd)
  cluster_ready "$dir"
}

# until the node is idle; a daemon that exits, or a node that stays down, means this machine
# cannot run SLURM (the reason is printed)
cluster_ready() {
  local dir=$1 state="" i
  for _ in $(seq 120); do
    for i in "${!cluster_pids[@]}"; do
      kill -0 "${cluster_pids[i]}" 2>/dev/null ||
        cluster_skip "${cluster_names[i]} exited at start: $(tail -3 "$dir/${cluster_names[i]}.out" | tr '\n' ' ')"
    done
    state=$(sinfo -h -n node1 -o %T 2>/dev/null || true)
    [ "$state" = idle ] && return 0
    sleep 0.5
  done
  cluster_skip "node not idle after 60 s (state '$state'): $(scontrol show node node1 2>&1 | grep -o 'Reason=.*' || true)"
}

cluster_stop() {
  local p alive
  if [ -n "${SLURM_CONF:-}" ] && squeue -h -o %A 2>/dev/null | grep -q .; then
    scancel --full --user=root 2>/dev/null || true
    for _ in $(seq 20); do squeue -h 2>/dev/null | grep -q . || break; sleep 0.5; done
  fi
  for ((i = ${#cluster_pids[@]} - 1; i >= 0; i--)); do kill "${cluster_pids[i]}" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for p in "${cluster_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for p in "${cluster_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -z "$cluster_munge" ] || rm -rf "$cluster_munge"
}

cluster_wait() {
  local limit=$1 t left moved=""
  shift
  local ids
  ids=$(IFS=,; echo "$*")
  for ((t = 0; t < limit * 2; t++)); do
    left=$(squeue -h -j "$ids" -o '%i %T %r' 2>/dev/null || true)
    [ -z "$left" ] && return 0
    # a requeued task waits for its BeginTime (2 minutes on, while slurmd holds its old
    # credential revoked): let it start 5 s on, once per job. Started at once, it can fall in
    # the second of the revocation and be killed ("Job credential revoked", a loaded machine,
    # December 2026)
    for id in $(awk '$2 == "PENDING" && $3 == "BeginTime" { print $1 }' <<<"$left"); do
      [[ " $moved " == *" $id "* ]] && continue
      scontrol update JobId="$id" StartTime=now+5 2>/dev/null || true
      moved="$moved $id"
    done
    sleep 0.5
  done
  echo "FAIL: jobs $ids still queued after $limit s:"; echo "$left"
  return 1
}

cluster_next_tick() {
  local last now
  for _ in $(seq 70); do
    last=$(grep -h 'Testing job time limits' "$(dirname "$SLURM_CONF")/slurmctld.log" | tail -1 | sed 's/^\[\([^].]*\).*/\1/')
    [ -n "$last" ] && break
    sleep 0.5
  done
  [ -n "$last" ] || return 1
  last=$(date -d "$last" +%s) now=$(date +%s)
  while ((last <= now)); do last=$((last + 30)); done
  echo "$last"
}
