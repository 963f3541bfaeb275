# SPDX-License-Identifier: GPL-3.0-or-later
# scripts/migsim.R's ggplot2 plots on two seeds of configs/demo.yaml: units as stored,
# the interval convention in the subtitle with the Student's t numbers drawn, observed
# and simulated on one axis, at most nine series, the difference's panels, PNG and SVG.

t_note <- "95% Student's t intervals across seeds"
complete <- function(path) {
  m <- migsim_monthly(path, "encounters")
  m[m$month %in% .migsim_complete_months(migsim_open(path)), ]
}

test_that("one run: units as stored, no interval, one axis with observed", {
  p <- migsim_plot_monthly(h5)
  expect_s3_class(p, "ggplot")
  expect_equal(p$labels$y, "persons per month")           # arrivals: persons day-1
  expect_equal(p$labels$subtitle, "one run per series: no interval across seeds")
  ev <- migsim_plot_monthly(file.path(expected_dir, "with_encounters.h5"))
  expect_equal(ev$labels$y, "events per month")            # encounters: events day-1
  observed <- data.frame(month = as.Date(c("2023-01-01", "2023-02-01", "2023-03-01")),
                         VENEZUELA = c(100, 200, 300), HONDURAS = c(10, 20, 30))
  one <- ggplot2::ggplot_build(migsim_plot_monthly(h5, by = "nationality",
                                                   observed = observed,
                                                   small_multiples = FALSE))
  expect_equal(nrow(one$layout$layout), 1)                 # one panel, one y scale
  panels <- ggplot2::ggplot_build(migsim_plot_monthly(h5, by = "nationality",
                                                      observed = observed))
  expect_equal(nrow(panels$layout$layout), 2)              # small multiples
  expect_error(migsim_plot_monthly(h5, by = "nationality",
                                   observed = cbind(observed, PERU = 1)),
               "observed columns PERU match no simulated nationality")
})

test_that("seeds: mean and a Student's t band, numbers as computed by hand", {
  p <- migsim_plot_monthly(c(h5, h5_seed8))
  expect_match(p$labels$subtitle, t_note, fixed = TRUE)
  expect_match(p$labels$subtitle, "n = 2", fixed = TRUE)
  a <- complete(h5)$value
  b <- complete(h5_seed8)$value
  expect_equal(length(a), 3)
  band <- ggplot2::layer_data(p, 1)                       # the ribbon
  expect_equal((band$ymin + band$ymax) / 2, (a + b) / 2)
  expect_equal((band$ymax - band$ymin) / 2, stats::qt(0.975, 1) * abs(a - b) / 2)
})

test_that("by place: the eight largest and all others, nine colours", {
  p <- migsim_plot_monthly(h5, variable = "occupancy", by = "place")
  expect_equal(p$labels$y, "persons (mean over the month)")
  lines <- ggplot2::layer_data(p, 1)
  expect_equal(length(unique(lines$colour)), 9)
  expect_equal(levels(p$data$series)[9], "all others")
  expect_equal(length(unique(lines$group)), 9)
})

test_that("difference: two panels, unpaired and paired intervals", {
  p <- migsim_plot_difference(c(h5, h5_seed8), h5, labels = c("two seeds", "one"))
  expect_s3_class(p, "ggplot")
  built <- ggplot2::ggplot_build(p)
  expect_equal(nrow(built$layout$layout), 2)
  expect_equal(p$labels$y, "persons per month")
  expect_match(p$labels$subtitle, t_note, fixed = TRUE)
  a <- complete(h5)$value
  b <- complete(h5_seed8)$value
  diff <- p$data[p$data$series == "difference", ]
  expect_equal(diff$value, (a + b) / 2 - a)
  expect_true(all(is.na(diff$lower)))                     # one run on one side
  expect_equal(file.size(migsim_save(p, tempfile(fileext = ".png"))) > 15000, TRUE)  # draws
  same <- migsim_plot_difference(c(h5, h5_seed8), c(h5, h5_seed8))
  expect_match(same$labels$subtitle, "(difference: paired)", fixed = TRUE)
  d <- same$data[same$data$series == "difference", ]
  expect_equal(d$value, c(0, 0, 0))
  expect_equal(d$upper, c(0, 0, 0))
})

test_that("migsim_save writes PNG and SVG by suffix", {
  p <- migsim_plot_monthly(c(h5, h5_seed8))
  png <- migsim_save(p, tempfile(fileext = ".png"))
  expect_equal(readBin(png, "raw", 8), as.raw(c(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)))
  expect_gt(file.size(png), 15000)
  svg <- migsim_save(p, tempfile(fileext = ".svg"))
  expect_match(paste(readLines(svg, n = 3), collapse = " "), "<svg")
  expect_error(migsim_save(p, tempfile(fileext = ".jpeg")), "cannot tell the format")
})

test_that("the kit leaves no HDF5 file open (every handle and reference closed)", {
  open_ids <- function() .Call("R_H5Fget_obj_count", bit64::as.integer64(31),   # H5F_OBJ_ALL
                               hdf5r::h5const$H5F_OBJ_ALL, PACKAGE = "hdf5r")$return_val
  before <- open_ids()
  migsim_plot_monthly(c(h5, h5_seed8), by = "nationality")
  migsim_read(h5, "arrivals")
  expect_equal(open_ids(), before)                        # before garbage collection
})

test_that("counts in persons: a run's agents per person divides, and the plots and table say so", {
  scaled <- c(tempfile(fileext = ".h5"), tempfile(fileext = ".h5"))
  stopifnot(all(file.copy(c(h5, h5_seed8), scaled)))
  for (p in scaled) {                                     # as a run at corridor.scale=0.05
    f <- hdf5r::H5File$new(p, mode = "r+")
    g <- f[["provenance"]]
    g$attr_delete("agents_per_person")
    hdf5r::h5attr(g, "agents_per_person") <- "0.05"
    f$close_all()
  }
  expect_equal(migsim_agents_per_person(scaled[1]), 0.05)
  expect_equal(migsim_agents_per_person(h5), 1)
  a <- complete(h5)$value
  b <- complete(h5_seed8)$value
  one <- migsim_difference_table(scaled, scaled[1])
  expect_equal(one$difference, ((a + b) / 2 - a) / 0.05)
  expect_equal(one$scenario, (a + b) / 2 / 0.05)
  expect_equal(one$agents_per_person, rep(0.05, 3))
  expect_equal(one$interval[1], "none: one run on a side gives no spread across seeds")
  expect_true(all(is.na(one$lower)))
  same <- migsim_difference_table(scaled, scaled)
  expect_equal(same$interval[1], "95% Student's t across 2 seeds, paired")
  expect_equal(same$upper, c(0, 0, 0))
  expect_equal(migsim_difference_table(scaled, scaled[1], scale = 1)$difference, (a + b) / 2 - a)
  d <- migsim_plot_difference(scaled, scaled[1])
  expect_match(d$labels$subtitle, "counts in persons: agents \u00f7 0.05 agents per person",
               fixed = TRUE)
  expect_equal(d$data$value[d$data$series == "difference"], ((a + b) / 2 - a) / 0.05)
  m <- migsim_plot_monthly(scaled)
  expect_match(m$labels$subtitle, "simulated \u00f7 0.05 agents per person", fixed = TRUE)
  band <- ggplot2::layer_data(m, 1)
  expect_equal((band$ymin + band$ymax) / 2, (a + b) / 2 / 0.05)
})
