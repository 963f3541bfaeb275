#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The output path (issue 17, item 2): refused before the run starts unless its folder is
# writable and it is new or a regular file that is none of the run's inputs (the scenario,
# its CSVs, the restart checkpoint, the manifest). Each case exits with the exact message,
# leaves the refused path as it was and nothing else behind. Without the check, -o DIR failed
# only after the whole run, and -o /dev/null or -o SCENARIO renamed a file over them.
set -euo pipefail
migsim=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cd "$work"
cp -r "$src/configs/demo.yaml" "$src/configs/demo" .
sum() { md5sum demo.yaml demo/places.csv demo/links.csv; }
before=$(sum)
fail=0

# refused OUTPUT RC MESSAGE [more run options]
refused() {
  local out=$1 want_rc=$2 want=$3 rc=0
  shift 3
  "$migsim" run demo.yaml -o "$out" --quiet --set days=5 "$@" 2>err || rc=$?
  if [ "$rc" -ne "$want_rc" ] || [ "$(cat err)" != "$want" ]; then
    echo "FAIL -o $out: exit $rc (expected $want_rc)"; echo "  got:      $(cat err)"; echo "  expected: $want"
    fail=1
  fi
}

mkdir outdir
refused outdir 64 "migsim: outdir: the output must be a new or a regular file; this is a directory"
# /dev/null through a link, so that a build without the check (run as root) replaces the link,
# not the device
ln -s /dev/null null.h5
refused null.h5 64 "migsim: null.h5: the output must be a new or a regular file; this is a character device"
mkfifo fifo.h5
refused fifo.h5 64 "migsim: fifo.h5: the output must be a new or a regular file; this is a FIFO"
[ -c /dev/null ] || { echo "FAIL: /dev/null is no longer a device"; fail=1; }
refused demo.yaml 64 "migsim: demo.yaml: the output would overwrite an input of this run (demo.yaml)"
refused demo/links.csv 64 "migsim: demo/links.csv: the output would overwrite an input of this run (demo/links.csv)"
ln -s demo/places.csv alias.h5
refused alias.h5 64 "migsim: alias.h5: the output would overwrite an input of this run (demo/places.csv)"
refused nodir/out.h5 74 "migsim: nodir/out.h5: cannot create output file: No such file or directory"
refused out.h5 64 "migsim: demo.yaml: the checkpoint would overwrite an input of this run (demo.yaml)" --checkpoint demo.yaml
# the restart checkpoint is an input of the output
"$migsim" run demo.yaml -o r.h5 --quiet --set days=5 --stop-after 2 2>/dev/null || true
refused r.h5.ckpt 64 "migsim: r.h5.ckpt: the output would overwrite an input of this run (r.h5.ckpt)" --restart r.h5.ckpt
# the manifest of a sweep
printf 'task,point,replicate,seed,scenario,output\n0,0,0,1,demo.yaml,m.csv\n' > m.csv
rc=0
"$migsim" run --manifest m.csv --task 0 --quiet --set days=5 2>err || rc=$?
[ "$rc" -eq 64 ] && [ "$(cat err)" = "migsim: m.csv: the output would overwrite an input of this run (m.csv)" ] \
  || { echo "FAIL manifest: exit $rc: $(cat err)"; fail=1; }
if [ "$(id -u)" -ne 0 ]; then
  mkdir ro && chmod a-w ro
  refused ro/out.h5 74 "migsim: ro/out.h5: cannot create output file: Permission denied"
else
  echo "(running as root: the read-only folder case is not tried; root writes anywhere)"
fi
[ "$(sum)" = "$before" ] || { echo "FAIL: an input was changed"; fail=1; }
[ "$(ls | sort | tr '\n' ' ')" = "alias.h5 demo demo.yaml err fifo.h5 m.csv null.h5 outdir r.h5.ckpt " ] \
  || { echo "FAIL: left behind: $(ls)"; fail=1; }
[ -z "$(ls outdir)" ] || { echo "FAIL: outdir not empty"; fail=1; }
# a regular file that is no input is replaced as before
"$migsim" run demo.yaml -o err --quiet --set days=5
[ "$fail" -eq 0 ] || exit 1
echo "test_outfile: OK"
