# migsim.R: read a migsim run (HDF5 output) in R with hdf5r and get tidy data.frames:
# encounters by month x sector x nationality, flows by link, occupancy by day and place.
#
#   source("scripts/migsim.R")                # needs r-cran-hdf5r (Debian 12)
#   run <- migsim_open("out.h5")              # labels, dates, places, links, provenance
#   enc <- migsim_encounters(run)             # month, sector, nationality, encounters
#   flo <- migsim_flows(run)                  # link, from, to, mode, distance_km, persons
#   occ <- migsim_occupancy(run)              # date, place, occupancy (long format)
#   arr <- migsim_read(run, "arrivals")       # array [time, place, nationality], dimnames set
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
# scales (the DIMENSION_LIST attribute the engine writes).
.migsim_dims <- function(file, ds) {
  refs <- hdf5r::h5attr(ds, "DIMENSION_LIST")
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
#' and link_* columns), variables (data variables with a time dimension), provenance.
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
  for (name in setdiff(names(f), "provenance")) {
    obj <- f[[name]]
    if (inherits(obj, "H5D") && "DIMENSION_LIST" %in% hdf5r::list.attributes(obj) &&
        .migsim_dims(f, obj)[1] == "time")
      variables <- c(variables, name)
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
                 provenance = prov),
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
    f <- hdf5r::H5File$new(run$path, mode = "r")
    units <- .migsim_attr(f[[variable]], "units", "")
    f$close_all()
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
