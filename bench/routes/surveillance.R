# The R package `surveillance` over the series routes_bench wrote (series.csv), with the same
# methods and parameters: EARS C1/C2/C3, classic Farrington, Noufaily's improved Farrington and
# Rossi's CUSUM, each over the last 36 months. Prints the seconds spent in the methods and
# writes r.csv (series, method, t, upper_bound, alarm) next to series.csv.
#
#   Rscript surveillance.R DIR
suppressMessages(library(surveillance))
dir <- commandArgs(trailingOnly = TRUE)[1]
s <- read.csv(file.path(dir, "series.csv"))
by_series <- split(s, s$series)
months <- 36

one_series <- function(x) {
  n <- nrow(x)
  range <- (n - months + 1):n
  st <- sts(observed = matrix(x$count, ncol = 1), start = c(x$start_year[1], x$start_month[1]),
            frequency = 12)
  ears <- function(m) earsC(st, control = list(range = range, method = m, baseline = 7))
  c1 <- ears("C1"); c2 <- ears("C2"); c3 <- ears("C3")
  fa <- farrington(st, control = list(range = range, b = 5, w = 3, reweight = TRUE,
                                      alpha = 0.05, trend = TRUE, limit54 = c(5, 4),
                                      powertrans = "2/3"))
  no <- farringtonFlexible(st, control = list(range = range, b = 5, w = 3, reweight = TRUE,
                                              weightsThreshold = 2.58, alpha = 0.05,
                                              trend = TRUE, pThresholdTrend = 1,
                                              limit54 = c(5, 4), powertrans = "2/3",
                                              noPeriods = 10, pastWeeksNotIncluded = 26,
                                              thresholdMethod = "nbPlugin"))
  cu <- algo.cusum(sts2disProg(st), control = list(range = range, k = 1.04, h = 2.26,
                                                   trans = "rossi"))
  list(ears_c1 = c1, ears_c2 = c2, ears_c3 = c3, farrington = fa, noufaily = no, cusum = cu)
}

results <- vector("list", length(by_series))
timing <- system.time(
  for (i in seq_along(by_series)) results[[i]] <- one_series(by_series[[i]])
)
seconds <- timing[["elapsed"]]
cpu <- timing[["user.self"]] + timing[["sys.self"]]

rows <- vector("list", length(by_series))
for (i in seq_along(by_series)) {
  n <- nrow(by_series[[i]])
  t <- (n - months + 1):n
  id <- by_series[[i]]$series[1]
  parts <- lapply(names(results[[i]]), function(m) {
    r <- results[[i]][[m]]
    if (m == "cusum") {
      ub <- as.numeric(r$upperbound); al <- as.numeric(r$alarm)
    } else {
      ub <- as.numeric(upperbound(r)); al <- as.numeric(alarms(r))
    }
    data.frame(series = id, method = m, t = t, upper_bound = ub, alarm = al)
  })
  rows[[i]] <- do.call(rbind, parts)
}
out <- do.call(rbind, rows)
write.csv(out, file.path(dir, "r.csv"), row.names = FALSE, na = "NA")
cat(sprintf("R surveillance %s: %d series x 6 methods x %d months in %.3f s (%.3f s CPU)\n",
            as.character(packageVersion("surveillance")), length(by_series), months, seconds,
            cpu))
