# SPDX-License-Identifier: GPL-3.0-or-later
# Set-up for the testthat tests of scripts/migsim.R (testthat sources helper-*.R first).
#
# The run and the expected numbers come from the environment when the ctest driver
# (tests/scenario/test_analysis.sh) made them:
#   MIGSIM_SOURCE_DIR     the repository
#   MIGSIM_TEST_H5        a run of configs/demo.yaml, seed 7, default 90 days
#   MIGSIM_TEST_H5_SEED8  the same with seed 8 (the plots' seed intervals)
#   MIGSIM_TEST_EXPECTED  tables written from that file by tests/python/expected_values.py
#                         (h5py and NumPy, independent of this R code)
# Run on their own (Rscript -e 'testthat::test_dir("tests/r")'), the tests make both
# with $MIGSIM_BINARY (default build/migsim) and /usr/bin/python3 in a temporary folder.

src <- Sys.getenv("MIGSIM_SOURCE_DIR")
if (src == "") src <- normalizePath(file.path(getwd(), "..", ".."))   # test_dir runs in tests/r
source(file.path(src, "scripts", "migsim.R"))

h5 <- Sys.getenv("MIGSIM_TEST_H5")
h5_seed8 <- Sys.getenv("MIGSIM_TEST_H5_SEED8")
expected_dir <- Sys.getenv("MIGSIM_TEST_EXPECTED")
run_demo <- function(path, seed) {
  bin <- Sys.getenv("MIGSIM_BINARY", file.path(src, "build", "migsim"))
  if (!file.exists(bin)) stop("no migsim binary at ", bin, ": build it or set MIGSIM_BINARY")
  status <- system2(bin, c("run", file.path(src, "configs", "demo.yaml"), "-o", path,
                           "--seed", seed, "--threads", "1", "--quiet"))
  if (status != 0) stop("migsim run failed with status ", status)
  path
}
if (h5_seed8 == "") h5_seed8 <- run_demo(tempfile("migsim-r-seed8-", fileext = ".h5"), "8")
if (h5 == "" || expected_dir == "") {
  tmp <- tempfile("migsim-r-tests-")
  dir.create(tmp)
  h5 <- run_demo(file.path(tmp, "demo.h5"), "7")
  expected_dir <- file.path(tmp, "expected")
  status <- system2("/usr/bin/python3", c(file.path(src, "tests", "python", "expected_values.py"),
                                          h5, expected_dir))
  if (status != 0) stop("expected_values.py failed with status ", status)
}

read_expected <- function(name, dir = expected_dir) {
  utils::read.csv(file.path(dir, name), stringsAsFactors = FALSE, check.names = FALSE)
}

expected_total <- function(name, dir = expected_dir) {
  t <- read_expected("expected_totals.csv", dir)
  t$value[t$name == name]
}
