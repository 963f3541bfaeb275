# SPDX-License-Identifier: GPL-3.0-or-later
# migsim.R: read a migsim run (HDF5 output) in R with hdf5r and get tidy data.frames:
# encounters by month x sector x nationality, flows by link, occupancy by day and place.
#
#   source("scripts/migsim.R")                # needs r-cran-hdf5r (Debian 12)
#   run <- migsim_open("out.h5")              # labels, dates, places, links, provenance
#   enc <- migsim_encounters(run)             # month, sector, nationality, encounters
#   flo <- migsim_flows(run)                  # link, from, to, mode, distance_km, persons
#   occ <- migsim_occupancy(run)              # date, place, occupancy (long format)
#   arr <- migsim_read(run, "arrivals")       # array [time, place, nationality], dimnames set
#   p <- migsim_plot_monthly(c("s1.h5", "s2.h5"), by = "nationality")   # ggplot2 (Debian
#   migsim_save(p, "monthly.png")             # r-cran-ggplot2); .svg and .pdf work too
#   migsim_plot_difference(scenario_runs, counterfactual_runs)
# Every function accepts either a migsim_run from migsim_open() or a file path.
#
# ---------------------------------------------------------------------------------------
# Transposition: why R sees every array the other way round, and what we do about it.
#
# HDF5 stores arrays row-major (C order, like NumPy): in occupancy(time, place) the place
# index varies fastest. R stores arrays column-major (the FIRST index varies fastest).
# hdf5r does not move any data: it hands R the same bytes with the dimensions listed in
# reverse order, so the values line up. A dataset that h5py and xarray show as
# occupancy[time, place], shape (days, n_places), is in R a matrix of dim
# c(n_places, days), i.e. [place, time]; arrivals(time, place, nationality) reads as
# [nationality, place, time]. Indices also start at 1 in R:
#
#   library(hdf5r)
#   f <- H5File$new("out.h5", mode = "r")
#   raw <- f[["occupancy"]]$read()        # dim(raw) == c(n_places, days)
#   raw[p, t]                             # == occupancy[t - 1, p - 1] in Python (h5py)
#   occ <- t(raw)                         # [time, place], as in Python
#   arr <- aperm(f[["arrivals"]]$read(), c(3, 2, 1))   # [time, place, nationality]
#   f$close_all()
#
# migsim_read() does exactly this for any variable: it reverses the dimensions with
# aperm() (t() for a matrix) and names them from the file's dimension scales, so
# migsim_read(run, "occupancy")["2023-01-08", "Tapachula"] is the value h5py gives as
# f["occupancy"][7, list(places).index("Tapachula")]. The table functions below all go
# through migsim_read(), so their rows are in the same order as the Python kit's
# (time slowest, then place, then nationality, each in the file's order).
# ---------------------------------------------------------------------------------------
#
# Encounters: a run's `encounters` variable when it has one (engines that model US
# Border Patrol encounters), kept at places of kind "destination" and wherever it is
# non-zero; otherwise the arrivals at places of kind "destination" (sectors and ports of
# entry), where the basic model absorbs everyone who reaches them. The same rule as
# migsim_analysis.encounters() in Python.
#
# Counts come back as doubles (R's integers are 32-bit and a sum over a long run could
# overflow them); every value is still a whole number.

suppressMessages(library(hdf5r))

.migsim_text <- function(x) as.character(x)

.migsim_attr <- function(obj, name, default = NA_character_) {
  if (name %in% hdf5r::list.attributes(obj)) hdf5r::h5attr(obj, name) else default
}

# Names of the dimensions of a dataset in HDF5 order (time first), from its dimension
# scales (the DIMENSION_LIST attribute the engine writes). Each reference is closed as
# soon as it is read rather than left to the garbage collector: an hdf5r reference
# holds a count on the file's id, which hdf5r keeps both in R and in HDF5 and checks
# ("r_count can never be ..." when they disagree) whenever it counts a new handle.
.migsim_dims <- function(file, ds) {
  refs <- hdf5r::h5attr(ds, "DIMENSION_LIST")
  on.exit(for (r in refs) r$close())
  vapply(refs, function(r) {
    obj <- r$dereference(obj = file)[[1]]
    name <- sub("^/", "", obj$get_obj_name())
    obj$close()
    name
  }, character(1))
}

#' Open a migsim run: everything but the big arrays, as a list of class "migsim_run".
#' Fields: path, start_date (Date), date (Date, one per day), day (0, 1, ...),
#' place, link, nationality (character), places and links (data.frames with the place_*
#' and link_* columns), variables (data variables with a time dimension), units (their
#' units attributes, named by variable), provenance.
migsim_open <- function(path) {
  if (inherits(path, "migsim_run")) return(path)
  if (!file.exists(path)) stop(path, ": no such file (run migsim first?)")
  f <- hdf5r::H5File$new(path, mode = "r")
  on.exit(f$close_all())
  time <- f[["time"]]
  units <- .migsim_attr(time, "units")
  start <- regmatches(units, regexpr("[0-9]{4}-[0-9]{2}-[0-9]{2}", units))
  if (!grepl("^days since ", units) || length(start) != 1)
    stop(path, ": time units \"", units, "\", expected \"days since YYYY-MM-DD\"")
  start <- as.Date(start)
  day <- as.numeric(time$read())
  read <- function(name) f[[name]]$read()
  places <- data.frame(place = .migsim_text(read("place")),
                       country = .migsim_text(read("place_country")),
                       kind = .migsim_text(read("place_kind")),
                       lat = read("place_lat"), lon = read("place_lon"),
                       capacity = read("place_capacity"),
                       attractiveness = read("place_attractiveness"),
                       stringsAsFactors = FALSE)
  links <- data.frame(link = .migsim_text(read("link")),
                      from = .migsim_text(read("link_from")),
                      to = .migsim_text(read("link_to")),
                      mode = .migsim_text(read("link_mode")),
                      distance_km = read("link_distance_km"),
                      cost_usd = read("link_cost_usd"),
                      risk = read("link_risk"),
                      stringsAsFactors = FALSE)
  variables <- character()
  units <- character()
  for (name in setdiff(names(f), "provenance")) {
    obj <- f[[name]]
    if (inherits(obj, "H5D") && "DIMENSION_LIST" %in% hdf5r::list.attributes(obj) &&
        .migsim_dims(f, obj)[1] == "time") {
      variables <- c(variables, name)
      units[name] <- .migsim_attr(obj, "units", "")
    }
    obj$close()
  }
  prov <- list()
  if (f$exists("provenance")) {
    g <- f[["provenance"]]
    for (a in sort(hdf5r::list.attributes(g))) prov[[a]] <- hdf5r::h5attr(g, a)
  }
  structure(list(path = normalizePath(path), title = .migsim_attr(f, "title"),
                 start_date = start, day = day, date = start + day,
                 place = places$place, link = links$link,
                 nationality = .migsim_text(read("nationality")),
                 places = places, links = links, variables = variables,
                 units = units, provenance = prov),
            class = "migsim_run")
}

print.migsim_run <- function(x, ...) {
  cat(sprintf(paste0("migsim run %s (%s, seed %s)\n  %d days, %s to %s\n",
                     "  %d places, %d links, nationalities: %s\n  variables: %s\n"),
              x$path, x$title, if (is.null(x$provenance$seed)) "?" else x$provenance$seed,
              length(x$date), format(min(x$date)), format(max(x$date)),
              length(x$place), length(x$link), paste(x$nationality, collapse = ", "),
              paste(x$variables, collapse = ", ")))
  invisible(x)
}

#' The /provenance attributes (scenario_resolved, seed, git_revision, ...) as a list.
migsim_provenance <- function(run) migsim_open(run)$provenance

#' Agents per person of a run (the model's scale, e.g. corridor.scale; 1 for most models,
#' and for files written before migsim recorded it): a count divided by it is persons.
migsim_agents_per_person <- function(run) {
  v <- suppressWarnings(as.numeric(migsim_open(run)$provenance$agents_per_person))
  if (length(v) != 1 || is.na(v) || v <= 0) 1 else v
}

#' Read one variable as an array in HDF5 / Python order ([time, place, nationality] for
#' arrivals, [time, place] for occupancy, [time, link] for flow, a vector for alive...),
#' with dimnames: dates (as "YYYY-MM-DD") for time, labels for the others. The
#' transposition is undone here; see the comment at the top of this file.
migsim_read <- function(run, name) {
  run <- migsim_open(run)
  f <- hdf5r::H5File$new(run$path, mode = "r")
  on.exit(f$close_all())
  if (!f$exists(name)) stop(run$path, ": no variable \"", name, "\"")
  ds <- f[[name]]
  dims <- .migsim_dims(f, ds)            # HDF5 order, e.g. c("time", "place")
  raw <- ds$read()                       # R order: dims reversed, e.g. [place, time]
  x <- if (length(dims) > 1) aperm(raw, rev(seq_along(dims))) else as.vector(raw)
  labels <- lapply(dims, function(d) switch(d,
    time = format(run$date), place = run$place, link = run$link,
    nationality = run$nationality, .migsim_text(f[[d]]$read())))
  if (length(dims) > 1) {
    dimnames(x) <- stats::setNames(labels, dims)
  } else {
    names(x) <- labels[[1]]
  }
  x
}

# Sum the rows of matrix m (one row per day) over the days of each month.
.migsim_by_month <- function(m, date) {
  storage.mode(m) <- "double"
  month <- format(date, "%Y-%m-01")
  s <- rowsum(m, month, reorder = TRUE)
  list(month = as.Date(rownames(s)), values = s)
}

#' Encounters as [time, place, nationality] with the rule described at the top.
migsim_encounters_array <- function(run) {
  run <- migsim_open(run)
  dest <- run$places$kind == "destination"
  if ("encounters" %in% run$variables) {
    x <- migsim_read(run, "encounters")
    keep <- dest | apply(x, 2, function(v) any(v != 0))
  } else {
    x <- migsim_read(run, "arrivals")
    keep <- dest
  }
  x[, keep, , drop = FALSE]
}

#' Encounters in long form: data.frame(month, sector, nationality, encounters), one row
#' per (month, sector, nationality), zeros included, ordered by month, then sector and
#' nationality in the file's order (as Python's encounters_table). by = "day" gives one
#' row per day with a `date` column instead of `month`.
migsim_encounters <- function(run, by = c("month", "day")) {
  by <- match.arg(by)
  run <- migsim_open(run)
  x <- migsim_encounters_array(run)      # [time, sector, nationality]
  sectors <- dimnames(x)[[2]]
  nats <- dimnames(x)[[3]]
  m <- matrix(x, nrow = dim(x)[1])       # [time, sector + (nationality - 1) * n_sectors]
  if (by == "month") {
    agg <- .migsim_by_month(m, run$date)
    periods <- agg$month
    m <- agg$values
  } else {
    periods <- run$date
    storage.mode(m) <- "double"
  }
  np <- length(periods); ns <- length(sectors); nn <- length(nats)
  # as.vector of an [nationality, sector, period] array runs nationality fastest
  v <- as.vector(aperm(array(m, c(np, ns, nn)), c(3, 2, 1)))
  out <- data.frame(period = rep(periods, each = ns * nn),
                    sector = rep(rep(sectors, each = nn), times = np),
                    nationality = rep(nats, times = np * ns),
                    encounters = v, stringsAsFactors = FALSE)
  names(out)[1] <- if (by == "month") "month" else "date"
  out
}

#' Persons setting off along each link. by = "total": one row per link with columns
#' link, from, to, mode, distance_km, persons. by = "month": a month column first and
#' one row per (month, link).
migsim_flows <- function(run, by = c("total", "month")) {
  by <- match.arg(by)
  run <- migsim_open(run)
  flow <- migsim_read(run, "flow")       # [time, link]
  info <- run$links[, c("link", "from", "to", "mode", "distance_km")]
  if (by == "total") {
    info$persons <- colSums(matrix(as.numeric(flow), nrow = nrow(flow)))
    rownames(info) <- NULL
    return(info)
  }
  agg <- .migsim_by_month(flow, run$date)
  nm <- length(agg$month); nl <- nrow(info)
  out <- cbind(data.frame(month = rep(agg$month, each = nl)),
               info[rep(seq_len(nl), times = nm), ],
               persons = as.vector(t(agg$values)))
  rownames(out) <- NULL
  out
}

#' Persons at each place at the end of each day, long form: data.frame(date, place,
#' occupancy), ordered by date then place (as Python's occupancy_table).
migsim_occupancy <- function(run) {
  run <- migsim_open(run)
  occ <- migsim_read(run, "occupancy")   # [time, place]
  data.frame(date = rep(run$date, each = ncol(occ)),
             place = rep(run$place, times = nrow(occ)),
             occupancy = as.numeric(t(occ)),  # t(): place fastest within each date
             stringsAsFactors = FALSE)
}

#' A variable per month, summed over every dimension but time and `by`:
#' data.frame(month, [by,] value). Daily flows (units "... day-1": encounters,
#' arrivals, spawned, flow) are summed over the month; stocks (occupancy, alive,
#' on_links) averaged, as in Python's monthly().
migsim_monthly <- function(run, variable = "encounters", by = NULL) {
  run <- migsim_open(run)
  if (variable == "encounters") {
    x <- migsim_encounters_array(run)
    units <- "persons day-1"
  } else {
    x <- migsim_read(run, variable)
    units <- if (variable %in% names(run$units)) run$units[[variable]] else ""
  }
  if (is.null(dim(x))) {                 # a (time) vector: alive, on_links, ...
    if (!is.null(by)) stop(variable, " has only a time dimension; cannot break it down by ", by)
    m <- matrix(as.numeric(x), ncol = 1)
  } else if (is.null(by)) {
    m <- matrix(rowSums(matrix(as.numeric(x), nrow = dim(x)[1])), ncol = 1)
  } else {
    k <- match(by, names(dimnames(x)))
    if (is.na(k) || k == 1) stop(variable, " has dims ", paste(names(dimnames(x)), collapse = ", "),
                                 "; cannot break it down by ", by)
    storage.mode(x) <- "double"
    m <- apply(x, c(1, k), sum)          # [time, by]
  }
  month <- format(run$date, "%Y-%m-01")
  days <- as.vector(table(month)[unique(sort(month))])
  s <- rowsum(m, month, reorder = TRUE)
  if (!grepl("day-1", units)) s <- s / days
  months <- as.Date(rownames(s))
  if (is.null(by)) return(data.frame(month = months, value = as.vector(s)))
  labels <- dimnames(x)[[by]]
  out <- data.frame(month = rep(months, each = length(labels)),
                    group = rep(labels, times = length(months)),
                    value = as.vector(t(s)), stringsAsFactors = FALSE)
  names(out)[2] <- by
  out
}

# ---------------------------------------------------------------------------------------
# Plots with ggplot2 (Debian: r-cran-ggplot2), the R versions of the Python kit's
# plot_monthly and plot_difference, with the same conventions: values in the units the
# file stores (encounters are events: "events per month"), several runs of one scenario
# (one per seed) drawn as their mean with a 95% Student's t interval across seeds,
# mean +- qt(0.975, n - 1) sd / sqrt(n), stated in the subtitle; observed and simulated
# on one axis; series by nationality as the eight largest plus "all others", each its
# own colour. Each function returns a ggplot object; migsim_save(p, "fig.png") or
# migsim_save(p, "fig.svg") writes it (grDevices' png and svg, through cairo).

.migsim_colours <- c("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                     "#e377c2", "#17becf")

#' The units the file stores for a variable ("events day-1" for the corridor's
#' encounters, "persons day-1" for arrivals, "persons" for occupancy).
migsim_units <- function(run, variable = "encounters") {
  run <- migsim_open(run)
  name <- if (variable == "encounters" && !("encounters" %in% run$variables)) "arrivals"
          else variable
  if (!(name %in% names(run$units))) stop(run$path, ": no variable \"", name, "\"")
  unname(run$units[name])
}

# "events per month" for a daily flow ("events day-1"), "persons (mean over the month)"
# for a stock.
.migsim_units_label <- function(units) {
  units <- trimws(units)
  if (units == "") units <- "count"
  if (!grepl("day-1$", units)) return(paste(units, "(mean over the month)"))
  what <- trimws(sub("day-1$", "", units))
  paste(if (what == "") "count" else what, "per month")
}

.migsim_interval_note <- function(n) {
  if (max(n) <= 1) return("one run per series: no interval across seeds")
  n <- unique(range(n))
  paste0("bands: 95% Student's t intervals across seeds, mean \u00b1 t(0.975, df) se, n = ",
         paste(n, collapse = "-"))
}

# Months the run covers entirely (a partial month's sum is not comparable).
.migsim_complete_months <- function(run) {
  month <- as.Date(format(run$date, "%Y-%m-01"))
  have <- table(month)
  first <- as.Date(names(have))
  next_month <- as.Date(sapply(first, function(d) format(seq(d, by = "month",
                                                            length.out = 2)[2])))
  first[as.vector(have) == as.numeric(next_month - first)]
}

# Mean and Student's t half-width over runs of a list of data.frame(month, [by,] value)
# with the same rows: data.frame(month, [by,] value, lower, upper, n).
.migsim_seed_mean <- function(tables) {
  v <- sapply(tables, function(t) t$value)
  v <- matrix(v, nrow = nrow(tables[[1]]))
  n <- ncol(v)
  out <- tables[[1]]
  out$value <- rowMeans(v)
  half <- if (n > 1) stats::qt(0.975, n - 1) * apply(v, 1, stats::sd) / sqrt(n) else NA_real_
  out$lower <- out$value - half
  out$upper <- out$value + half
  out$n <- n
  out
}

# The eight largest labels over the runs, the others summed into "all others".
.migsim_top <- function(tables, by, top) {
  total <- Reduce(`+`, lapply(tables, function(t) tapply(t$value, t[[by]], sum)))
  keep <- names(sort(total, decreasing = TRUE))
  if (length(keep) > top + 1) keep <- keep[seq_len(top)]
  lapply(tables, function(t) {
    t[[by]] <- ifelse(t[[by]] %in% keep, t[[by]], "all others")
    s <- stats::aggregate(t["value"], t[c("month", by)], sum)
    s[[by]] <- factor(s[[by]], levels = intersect(c(keep, "all others"), s[[by]]))
    s[order(s$month, s[[by]]), ]
  })
}

# Several runs, as seeds: a single run, a path or a character vector / list of them.
.migsim_seeds <- function(runs) {
  if (inherits(runs, "migsim_run") || (is.character(runs) && length(runs) == 1))
    return(list(runs))
  if (length(runs) == 0) stop("an empty list of runs")
  as.list(runs)
}

.migsim_monthly_runs <- function(runs, variable, by, complete, scale = 1) {   # runs opened
  lapply(.migsim_seeds(runs), function(r) {
    m <- migsim_monthly(r, variable, by)
    if (complete) m <- m[m$month %in% .migsim_complete_months(r), , drop = FALSE]
    m$value <- m$value / scale
    m
  })
}

# Observed data (data.frame: month, then one column per series) in long form, matched to
# the simulated series: a column named like one goes with it, the rest are added up into
# "all others" (when there is such a series).
.migsim_observed_long <- function(observed, series, by, months) {
  observed$month <- as.Date(observed$month)
  observed <- observed[observed$month >= min(months) & observed$month <= max(months), ,
                       drop = FALSE]
  cols <- setdiff(names(observed), "month")
  if (is.null(by)) {
    return(data.frame(month = rep(observed$month, length(cols)),
                      series = rep(if (length(cols) == 1) series[1] else cols,
                                   each = nrow(observed)),
                      value = unlist(observed[cols], use.names = FALSE)))
  }
  rest <- setdiff(cols, series)
  if (length(rest) && !("all others" %in% series))
    stop("observed columns ", paste(rest, collapse = ", "), " match no simulated ", by)
  long <- lapply(intersect(series, c(cols, if (length(rest)) "all others")), function(s) {
    v <- if (s == "all others") rowSums(observed[rest]) else observed[[s]]
    data.frame(month = observed$month, series = s, value = v)
  })
  do.call(rbind, long)
}

.migsim_axis <- function() {
  list(ggplot2::scale_y_continuous(labels = function(x) format(x, big.mark = ",",
                                                               scientific = FALSE, trim = TRUE)),
       ggplot2::scale_x_date(breaks = .migsim_month_breaks, date_labels = "%b %Y"))
}

# Ticks on months: every month up to a year, then quarters, then years.
.migsim_month_breaks <- function(limits) {
  limits <- as.Date(limits, origin = "1970-01-01")
  first <- as.Date(format(limits[1], "%Y-%m-01"))
  months <- length(seq(first, limits[2], by = "month"))
  seq(first, limits[2], by = if (months <= 13) "month" else if (months <= 40) "3 months"
                            else "year")
}

#' Monthly series of one run or of several seeds of a scenario (mean and a 95% Student's
#' t band across seeds), with observed data on the same axis. by: NULL (the total) or a
#' dimension ("nationality", "place"): the `top` largest series and "all others".
#' observed: data.frame(month, one column per series) as load_observed_monthly gives in
#' Python (a single column for the total). small_multiples (default: when by and
#' observed are both given): one panel per series, each with its own y scale. scale:
#' agents per person of the runs (corridor.scale), the simulated values are divided by
#' it (default: the first run's migsim_agents_per_person). Partial months at either end
#' are left out unless complete = FALSE. Returns a ggplot object.
migsim_plot_monthly <- function(runs, variable = "encounters", by = NULL, observed = NULL,
                                observed_label = "observed", top = 8,
                                small_multiples = NULL, scale = NULL, complete = TRUE) {
  runs <- lapply(.migsim_seeds(runs), migsim_open)      # each file opened once
  if (is.null(scale)) scale <- migsim_agents_per_person(runs[[1]])
  tables <- .migsim_monthly_runs(runs, variable, by, complete, scale)
  if (!is.null(by)) tables <- .migsim_top(tables, by, top)
  d <- .migsim_seed_mean(tables)
  d$series <- if (is.null(by)) "simulated" else as.character(d[[by]])
  series <- unique(d$series)
  d$series <- factor(d$series, levels = series)
  d$source <- "simulated"
  if (is.null(small_multiples)) small_multiples <- !is.null(by) && !is.null(observed)
  colours <- stats::setNames(c(.migsim_colours, "#7f7f7f")[seq_along(series)], series)
  if ("all others" %in% series) colours["all others"] <- "#7f7f7f"
  p <- ggplot2::ggplot(d, ggplot2::aes(month, value, colour = series, fill = series,
                                       linetype = source))
  if (any(d$n > 1))
    p <- p + ggplot2::geom_ribbon(ggplot2::aes(ymin = lower, ymax = upper), alpha = 0.2,
                                  colour = NA)
  p <- p + ggplot2::geom_line() + ggplot2::geom_point(size = 0.8)
  if (!is.null(observed)) {
    o <- .migsim_observed_long(observed, series, by, d$month)
    o$series <- factor(o$series, levels = series)
    o$source <- observed_label
    aes_o <- ggplot2::aes(month, value, group = series, linetype = source)
    if (small_multiples || is.null(by)) {
      p <- p + ggplot2::geom_line(data = o, mapping = aes_o, colour = "black",
                                  inherit.aes = FALSE) +
        ggplot2::geom_point(data = o, mapping = ggplot2::aes(month, value), shape = 22,
                            fill = "white", colour = "black", inherit.aes = FALSE)
    } else {
      p <- p + ggplot2::geom_line(data = o, mapping = ggplot2::aes(month, value,
                                  colour = series, linetype = source), inherit.aes = FALSE) +
        ggplot2::geom_point(data = o, mapping = ggplot2::aes(month, value, colour = series),
                            shape = 22, fill = "white", inherit.aes = FALSE)
    }
  }
  linetypes <- stats::setNames(c("solid", "dashed"), c("simulated", observed_label))
  p <- p + ggplot2::scale_colour_manual(values = colours, name = by) +
    ggplot2::scale_fill_manual(values = colours, guide = "none") +
    ggplot2::scale_linetype_manual(values = linetypes, name = NULL) +
    .migsim_axis() + ggplot2::expand_limits(y = 0) + ggplot2::theme_bw(base_size = 10)
  if (small_multiples && !is.null(by))
    p <- p + ggplot2::facet_wrap(~series, scales = "free_y")
  if (is.null(by) || small_multiples) p <- p + ggplot2::guides(colour = "none")
  p <- p + ggplot2::guides(linetype = if (is.null(observed)) "none"
                           else ggplot2::guide_legend(override.aes = list(fill = NA)))
  note <- .migsim_interval_note(d$n)
  if (scale != 1) note <- paste0(note, "; simulated \u00f7 ", scale, " agents per person")
  p + ggplot2::labs(x = NULL, y = .migsim_units_label(migsim_units(.migsim_seeds(runs)[[1]],
                                                                   variable)),
                    title = paste0("simulated ", variable, if (!is.null(by)) paste(" by", by),
                                   if (!is.null(observed)) paste(" and", observed_label),
                                   " per month", if (complete) " (complete months only)"),
                    subtitle = note)
}

# The interval convention of a difference in words, as the Python kit's tables say it.
.migsim_interval_words <- function(ns, nc, paired) {
  if (min(ns, nc) <= 1) return("none: one run on a side gives no spread across seeds")
  paste0("95% Student's t across ", if (ns == nc) ns else paste(ns, "and", nc), " seeds, ",
         if (paired) "paired" else "unpaired, Welch")
}

# Scenario minus counterfactual per month over seeds: paired (d_i = s_i - c_i, df n - 1)
# when both have the same seeds in the same order, Welch otherwise, no interval with a
# single run on either side. data.frame(month, value, lower, upper, paired).
.migsim_difference <- function(s, c, s_seeds, c_seeds) {
  sv <- matrix(sapply(s, function(t) t$value), nrow = nrow(s[[1]]))
  cv <- matrix(sapply(c, function(t) t$value), nrow = nrow(c[[1]]))
  ns <- ncol(sv)
  nc <- ncol(cv)
  paired <- ns == nc && ns > 1 && identical(s_seeds, c_seeds)
  if (paired) {
    d <- sv - cv
    value <- rowMeans(d)
    half <- stats::qt(0.975, ns - 1) * apply(d, 1, stats::sd) / sqrt(ns)
  } else {
    value <- rowMeans(sv) - rowMeans(cv)
    half <- NA_real_
    if (ns > 1 && nc > 1) {
      vs <- apply(sv, 1, stats::var) / ns
      vc <- apply(cv, 1, stats::var) / nc
      df <- (vs + vc)^2 / (vs^2 / (ns - 1) + vc^2 / (nc - 1))
      half <- ifelse(vs + vc == 0, 0, stats::qt(0.975, df) * sqrt(vs + vc))
    }
  }
  data.frame(month = s[[1]]$month, value = value, lower = value - half,
             upper = value + half, paired = paired)
}

# Both sides' monthly tables (in persons) and their difference, for the table and the plot.
.migsim_difference_parts <- function(scenario, counterfactual, variable, complete, scale) {
  scenario <- lapply(.migsim_seeds(scenario), migsim_open)
  counterfactual <- lapply(.migsim_seeds(counterfactual), migsim_open)
  if (is.null(scale)) scale <- migsim_agents_per_person(scenario[[1]])
  s <- .migsim_monthly_runs(scenario, variable, NULL, complete, scale)
  c <- .migsim_monthly_runs(counterfactual, variable, NULL, complete, scale)
  seeds <- function(x) vapply(x, function(r) {
    v <- r$provenance$seed
    if (is.null(v)) NA_character_ else as.character(v)
  }, "")
  list(s = s, c = c, scale = scale, first = scenario[[1]],
       diff = .migsim_difference(s, c, seeds(scenario), seeds(counterfactual)))
}

#' Scenario minus counterfactual per month as a table: data.frame(month, scenario,
#' counterfactual (means over seeds), difference, lower, upper (its 95% Student's t
#' interval across seeds: paired when both use the same seeds, Welch otherwise, NA with one
#' run on a side), n_scenario, n_counterfactual, paired, agents_per_person, interval (the
#' convention in words)). Counts are persons: divided by scale, by default the first
#' scenario run's migsim_agents_per_person.
migsim_difference_table <- function(scenario, counterfactual, variable = "encounters",
                                    complete = TRUE, scale = NULL) {
  x <- .migsim_difference_parts(scenario, counterfactual, variable, complete, scale)
  ns <- length(x$s)
  nc <- length(x$c)
  data.frame(month = x$diff$month, scenario = .migsim_seed_mean(x$s)$value,
             counterfactual = .migsim_seed_mean(x$c)$value, difference = x$diff$value,
             lower = x$diff$lower, upper = x$diff$upper, n_scenario = ns,
             n_counterfactual = nc, paired = x$diff$paired, agents_per_person = x$scale,
             interval = .migsim_interval_words(ns, nc, x$diff$paired[1]),
             stringsAsFactors = FALSE)
}

#' Scenario against counterfactual per month, as ggplot facets: the two series (means
#' over seeds with 95% Student's t bands) and their difference, scenario minus
#' counterfactual (paired when both use the same seeds). scenario, counterfactual: a run
#' or path, or a list / character vector of them (one per seed). Counts are persons, as in
#' migsim_difference_table (scale). Returns a ggplot object.
migsim_plot_difference <- function(scenario, counterfactual, variable = "encounters",
                                   labels = c("scenario", "counterfactual"),
                                   complete = TRUE, scale = NULL) {
  x <- .migsim_difference_parts(scenario, counterfactual, variable, complete, scale)
  s <- x$s
  c <- x$c
  diff <- x$diff
  panels <- c("per month", paste(labels[1], "-", labels[2]))
  top <- rbind(cbind(.migsim_seed_mean(s), series = labels[1]),
               cbind(.migsim_seed_mean(c), series = labels[2]))
  top$panel <- panels[1]
  diff$series <- "difference"
  diff$panel <- panels[2]
  d <- rbind(top[c("month", "value", "lower", "upper", "series", "panel")],
             diff[c("month", "value", "lower", "upper", "series", "panel")])
  d$panel <- factor(d$panel, levels = panels)
  d$series <- factor(d$series, levels = c(labels, "difference"))
  colours <- stats::setNames(c("#1f77b4", "#ff7f0e", "#d62728"), levels(d$series))
  n <- c(length(s), length(c))
  kind <- if (diff$paired[1]) "paired" else "unpaired"
  note <- .migsim_interval_note(n)
  if (max(n) > 1) note <- paste0(note, " (difference: ", kind, ")")
  if (x$scale != 1)
    note <- paste0(note, "\ncounts in persons: agents \u00f7 ", x$scale, " agents per person")
  band <- d[!is.na(d$lower), , drop = FALSE]   # a series of one run has no band
  p <- ggplot2::ggplot(d, ggplot2::aes(month, value, colour = series, fill = series)) +
    ggplot2::geom_hline(data = data.frame(panel = factor(panels[2], levels = panels),
                                          yintercept = 0),
                        ggplot2::aes(yintercept = yintercept), colour = "black")
  if (nrow(band))
    p <- p + ggplot2::geom_ribbon(data = band, ggplot2::aes(ymin = lower, ymax = upper),
                                  alpha = 0.2, colour = NA)
  p + ggplot2::geom_line() + ggplot2::geom_point(size = 0.8) +
    ggplot2::facet_grid(panel ~ ., scales = "free_y") +
    ggplot2::scale_colour_manual(values = colours, name = NULL) +
    ggplot2::scale_fill_manual(values = colours, guide = "none") +
    .migsim_axis() + ggplot2::theme_bw(base_size = 10) +
    ggplot2::labs(x = NULL, y = .migsim_units_label(migsim_units(x$first, variable)),
                  title = paste0(variable, " per month: ", labels[1], " vs ", labels[2]),
                  subtitle = note)
}

#' Write a plot as PNG, SVG or PDF, chosen by the path's suffix (grDevices' cairo
#' devices, nothing beyond base R). Returns the path, invisibly.
migsim_save <- function(plot, path, width = 9, height = 5, dpi = 150) {
  ext <- tolower(tools::file_ext(path))
  switch(ext,
         png = grDevices::png(path, width = width, height = height, units = "in",
                              res = dpi, type = "cairo"),
         svg = grDevices::svg(path, width = width, height = height),
         pdf = grDevices::cairo_pdf(path, width = width, height = height),
         stop(path, ": cannot tell the format from the suffix; use .png, .svg or .pdf"))
  on.exit(grDevices::dev.off())
  print(plot)
  invisible(path)
}
