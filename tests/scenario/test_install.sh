#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# cmake --install puts the tool under a prefix (issue 18, item 2): the binary runs from there,
# `man migsim` renders the help2man page (with MANPATH set as the modulefile sets it), the
# Python kit and API (migsim_analysis, migsim) import from share/migsim/python and know their
# version, the API finds the installed binary on PATH, the R kit, the SLURM
# templates, the modulefile and the example scenarios are there, and the installed demo runs.
set -euo pipefail
migsim=$1 src=$2 work=$3
build=$(dirname "$migsim")
rm -rf "$work" && mkdir -p "$work"
[ -e "$build/migsim.1" ] || { echo "test_install: no man page in $build (help2man missing at configure time)"; exit 77; }
command -v man >/dev/null || { echo "test_install: no man (apt-get install man-db)"; exit 77; }
p=$work/prefix
cmake --install "$build" --prefix "$p" >/dev/null
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
version=$(sed -n 's/^project(migsim VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
check "bin/migsim --version is $version" '[ "$("$p/bin/migsim" --version | head -1 | cut -d" " -f1-2)" = "migsim $version" ]'
check "man migsim renders its NAME and the run command" \
  'MANPATH=$p/share/man man -P cat migsim 2>/dev/null | grep -q "migsim - agent-based simulator" &&
   MANPATH=$p/share/man man -P cat migsim 2>/dev/null | grep -q "migsim run SCENARIO.yaml -o OUTPUT.h5"'
check "the Python kit imports with its version" \
  '[ "$(cd "$work" && PYTHONPATH=$p/share/migsim/python /usr/bin/python3 -c "import migsim_analysis as m; print(m.__version__, m.__file__)")" = "$version $p/share/migsim/python/migsim_analysis/__init__.py" ]'
check "the Python API imports with its version and finds bin/migsim on PATH" \
  '[ "$(cd "$work" && PATH=$p/bin:$PATH PYTHONPATH=$p/share/migsim/python /usr/bin/python3 -c "import migsim as m; print(m.__version__, m.find_binary())")" = "$version $p/bin/migsim" ]'
for f in share/migsim/R/migsim.R share/migsim/slurm/array.sbatch share/migsim/slurm/migsim.modulefile \
         share/migsim/examples/demo.yaml share/migsim/examples/corridor/corridor.yaml share/doc/migsim/LICENSE \
         share/doc/migsim/CITATION.cff; do
  check "$f installed" '[ -f "$p/$f" ]'
done
# The modulefile, read as environment-modules reads it (Tcl) with its prefix set to this one:
# every variable it sets names a file or folder that the install made.
cat > "$work/modules.tcl" <<'TCL'
proc prepend-path {var value} { puts "$var $value" }
proc setenv {var value} { puts "$var $value" }
proc module-whatis {args} {}
set f [open [lindex $argv 0]]
set text [read $f]
close $f
if {![regsub -line {^set prefix .*$} $text "set prefix [lindex $argv 1]" text]} { exit 3 }
eval $text
TCL
modules() { tclsh "$work/modules.tcl" "$p/share/migsim/slurm/migsim.modulefile" "$p"; }
if command -v tclsh >/dev/null; then
  check "the modulefile sets PATH MANPATH PYTHONPATH MIGSIM_R MIGSIM_EXAMPLES to installed paths" \
    '[ "$(modules | cut -d" " -f1 | tr "\n" " ")" = "PATH MANPATH PYTHONPATH MIGSIM_R MIGSIM_EXAMPLES " ] &&
     modules | while read -r var value; do [ -e "$value" ] || { echo "  $var: $value is missing"; exit 1; }; done'
else
  echo "test_install: no tclsh (apt-get install tcl): the modulefile's paths not checked"
fi
check "the installed demo runs" '(cd "$work" && "$p/bin/migsim" run "$p/share/migsim/examples/demo.yaml" -o demo.h5 --quiet --threads 1 --set days=3)'
exit $fail
