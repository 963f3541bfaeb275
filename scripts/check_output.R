#!/usr/bin/env Rscript
# SPDX-License-Identifier: GPL-3.0-or-later
# Check that a migsim HDF5 output reads in R with hdf5r.
#
# Usage:
#   Rscript scripts/check_output.R FILE.h5 [VAR SUM]...
#
# Checks that the datasets occupancy, flow, arrivals and spawned exist, that R sees each
# with its dimensions reversed (see below), and that the sum of each VAR equals SUM.
# Prints a short summary; exits with status 1 on any failure.
#
# R is column-major, HDF5 (like C and NumPy) row-major, and hdf5r does not transpose the
# data: it reverses the order of the dimensions instead, so the same bytes mean the same
# values. A dataset that HDF5, h5py and xarray show as occupancy(time, place) with shape
# (days, n_places) reads in R as a matrix of dim c(n_places, days), i.e. [place, time]:
#
#   library(hdf5r)
#   f <- H5File$new("run.h5", mode = "r")
#   occ <- f[["occupancy"]]$read()     # dim(occ) == c(n_places, days); or f[["occupancy"]][, ]
#   places <- f[["place"]]$read()      # labels of the first R dimension
#   days <- f[["time"]]$read()         # 0, 1, ... days since h5attr(f[["time"]], "units")
#   occ[match("Kilis camp", places), 1 + 7]   # persons at Kilis camp on day 7
#   arr <- f[["arrivals"]]$read()      # HDF5 (time, place, nationality)
#                                      #   -> R [nationality, place, time]
#   t(occ)                             # back to [time, place] if wanted
#   f$close_all()

suppressMessages(library(hdf5r))

# HDF5 (row-major) dimension order of each standard variable.
standard <- list(
  occupancy = c("time", "place"),
  flow = c("time", "link"),
  arrivals = c("time", "place", "nationality"),
  spawned = c("time", "place", "nationality")
)

fail <- function(...) {
  cat("check_output.R: ", ..., "\n", sep = "", file = stderr())
  quit(status = 1)
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1 || length(args) %% 2 != 1)
  fail("usage: Rscript scripts/check_output.R FILE.h5 [VAR SUM]...")
path <- args[1]
pairs <- args[-1]
expect <- list()
for (i in 2 * seq_len(length(pairs) / 2) - 1) {
  value <- suppressWarnings(as.numeric(pairs[i + 1]))
  if (is.na(value) || value != round(value))
    fail(pairs[i], ": expected an integer sum, got \"", pairs[i + 1], "\"")
  expect[[pairs[i]]] <- value
}

if (!file.exists(path))
  fail(path, ": no such file")
f <- tryCatch(H5File$new(path, mode = "r"),
              error = function(e) fail(path, ": cannot open: ", conditionMessage(e)))
problems <- character()

# Dimension lengths from the coordinate datasets (1-D, same in either order).
dim_len <- integer()
for (d in c("time", "place", "link", "nationality")) {
  if (!f$exists(d)) {
    problems <- c(problems, paste0("coordinate dataset ", d, " is missing"))
  } else {
    dim_len[d] <- f[[d]]$dims
  }
}

for (name in names(standard)) {
  if (!f$exists(name)) {
    problems <- c(problems, paste0("dataset ", name, " is missing"))
    next
  }
  ds <- f[[name]]
  hdf5_order <- standard[[name]]
  want <- rev(unname(dim_len[hdf5_order]))
  got <- ds$dims
  if (!identical(as.integer(got), as.integer(want))) {
    problems <- c(problems, sprintf("%s: R dims (%s), expected (%s) = reverse of HDF5 (%s)",
                                    name, paste(got, collapse = ", "),
                                    paste(want, collapse = ", "),
                                    paste(hdf5_order, collapse = ", ")))
  }
  units <- if ("units" %in% list.attributes(ds)) h5attr(ds, "units") else "(no units)"
  cat(sprintf("%-10s R [%s] = [%s], units %s\n", name,
              paste(rev(hdf5_order), collapse = ", "), paste(got, collapse = ", "), units))
}

for (name in names(expect)) {
  if (!f$exists(name)) {
    problems <- c(problems, paste0(name, ": no such dataset"))
    next
  }
  x <- f[[name]]$read()
  got <- sum(as.numeric(x))   # as.numeric: an integer sum could overflow R's int32
  if (got != expect[[name]]) {
    problems <- c(problems, sprintf("%s: sum is %.0f, expected %.0f", name, got,
                                    expect[[name]]))
  } else {
    cat(sprintf("%s: sum %.0f as expected\n", name, got))
  }
}
f$close_all()

if (length(problems) > 0) {
  for (p in problems) cat("check_output.R: ", path, ": ", p, "\n", sep = "", file = stderr())
  fail(path, ": FAILED, ", length(problems), " problem(s)")
}
cat("check_output.R: ", path, ": OK\n", sep = "")
