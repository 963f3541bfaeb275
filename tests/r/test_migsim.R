# SPDX-License-Identifier: GPL-3.0-or-later
# scripts/migsim.R against the numbers h5py reads from the same file (helper-migsim.R
# says where they come from) and against a raw hdf5r read with the indices reversed by hand.

run <- migsim_open(h5)

test_that("migsim_open decodes dates, labels and provenance", {
  expect_s3_class(run, "migsim_run")
  expect_equal(length(run$date), expected_total("n_time"))
  expect_equal(run$date[1], as.Date("2023-01-01"))
  expect_equal(run$date[90], as.Date("2023-03-31"))
  expect_equal(run$nationality, c("VENEZUELA", "HONDURAS"))
  expect_equal(length(run$place), expected_total("n_place"))
  expect_equal(run$place[c(1, 15)], c("Caracas", "Rio Grande Valley"))
  expect_equal(run$places$kind[run$place == "El Paso"], "destination")
  expect_equal(run$links$link, paste0(run$links$from, "->", run$links$to))
  expect_equal(run$provenance$seed, "7")
  expect_match(run$provenance$scenario_resolved, "name: demo")
  expect_true(all(c("occupancy", "flow", "arrivals", "spawned") %in% run$variables))
  expect_error(migsim_open(file.path(tempdir(), "nope.h5")), "no such file")
})

test_that("the spawned total is the scenario's 87030 (800 x 90 + 250.5 x 60)", {
  f <- hdf5r::H5File$new(h5, mode = "r")
  raw <- f[["spawned"]]$read()
  f$close_all()
  expect_equal(sum(as.numeric(raw)), 87030)
  expect_equal(expected_total("spawned_total"), 87030)
  m <- migsim_monthly(run, "spawned", by = "nationality")
  expect_equal(m$value[m$nationality == "VENEZUELA"], 800 * c(31, 28, 31))
  expect_equal(sum(m$value), 87030)
})

test_that("migsim_encounters equals h5py: total, January, every cell", {
  enc <- migsim_encounters(run)
  expect_named(enc, c("month", "sector", "nationality", "encounters"))
  expect_s3_class(enc$month, "Date")
  expect_equal(sum(enc$encounters), expected_total("encounters_total"))
  expect_gt(sum(enc$encounters), 1000)
  expect_equal(sum(enc$encounters[enc$month == as.Date("2023-01-01")]),
               expected_total("january_encounters"))
  want <- read_expected("expected_encounters.csv")
  want$month <- as.Date(want$month)
  expect_equal(enc, want)          # same rows, same order, same values
  expect_equal(unique(enc$sector), c("El Paso", "Rio Grande Valley"))
})

test_that("migsim_encounters uses an `encounters` variable when the file has one", {
  dir <- file.path(expected_dir, "with_encounters")
  enc <- migsim_encounters(file.path(expected_dir, "with_encounters.h5"))
  want <- read_expected("expected_encounters.csv", dir)
  want$month <- as.Date(want$month)
  expect_equal(enc, want)
  expect_equal(sum(enc$encounters), expected_total("encounters_total", dir))
  expect_equal(sum(enc$encounters),
               2 * expected_total("encounters_total") + 3 * 90)   # see add_encounters()
})

test_that("migsim_flows equals h5py flow[:, i].sum() for every link", {
  flows <- migsim_flows(run)
  want <- read_expected("expected_flows.csv")
  expect_named(flows, c("link", "from", "to", "mode", "distance_km", "persons"))
  expect_equal(flows, want)
  expect_equal(flows$persons[flows$link == "Capurgana->Bajo Chiquito"],
               want$persons[want$link == "Capurgana->Bajo Chiquito"])
  monthly <- migsim_flows(run, by = "month")
  expect_equal(nrow(monthly), 3 * nrow(flows))
  expect_equal(as.vector(tapply(monthly$persons, monthly$link, sum)[flows$link]),
               flows$persons)
})

test_that("migsim_occupancy(place, day) equals h5py occupancy[t, p]", {
  occ <- migsim_occupancy(run)
  expect_named(occ, c("date", "place", "occupancy"))
  expect_equal(nrow(occ), 90 * 15)
  want <- read_expected("expected_occupancy.csv")
  expect_gt(sum(want$occupancy), 0)
  for (i in seq_len(nrow(want))) {
    got <- occ$occupancy[occ$date == as.Date(want$date[i]) & occ$place == want$place[i]]
    expect_equal(got, want$occupancy[i], info = paste(want$date[i], want$place[i]))
  }
})

test_that("the transposition: raw hdf5r [place, time] is migsim_read's [time, place]", {
  f <- hdf5r::H5File$new(h5, mode = "r")
  raw_occ <- f[["occupancy"]]$read()          # R sees [place, time]
  raw_arr <- f[["arrivals"]]$read()           # R sees [nationality, place, time]
  f$close_all()
  expect_equal(dim(raw_occ), c(15, 90))
  expect_equal(dim(raw_arr), c(2, 15, 90))
  want <- read_expected("expected_occupancy.csv")   # t, p are 0-based HDF5 indices
  occ <- migsim_read(run, "occupancy")
  expect_equal(dim(occ), c(90, 15))
  expect_equal(names(dimnames(occ)), c("time", "place"))
  for (i in seq_len(nrow(want))) {
    t <- want$t[i] + 1
    p <- want$p[i] + 1
    expect_equal(raw_occ[p, t], want$occupancy[i])   # reversed by hand
    expect_equal(occ[t, p], want$occupancy[i])       # reversed by migsim_read
    expect_equal(occ[want$date[i], want$place[i]], want$occupancy[i])
  }
  expect_equal(unname(occ), t(raw_occ))
  arr <- migsim_read(run, "arrivals")
  expect_equal(dim(arr), c(90, 15, 2))
  expect_equal(unname(arr), aperm(raw_arr, c(3, 2, 1)))
  expect_equal(arr["2023-02-10", "El Paso", "HONDURAS"],
               raw_arr[2, which(run$place == "El Paso"), 41])
})
