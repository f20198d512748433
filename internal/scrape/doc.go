// Package scrape samples a target's Prometheus text endpoint once a second
// during a run (run --scrape) and files the samples into the result's
// timeline, so a report can put the server's view (queue depth, busy
// workers) beside the client's (latency).
//
// Each window gets the values of the sample taken nearest its end and, for
// counters, their per-second rate over the window ("rate(NAME)"): for a
// time-integrated counter such as bploadgen_target_busy_worker_seconds_total
// that rate is the exact mean of the gauge over the window.
//
// Which series: the chosen metric families with their labels; by default
// the built-in target's, else every unlabelled gauge and counter, and the
// warning then counts the labelled series left out and names a few whose
// names say queue or concurrency (hints.go), since an exporter such as
// HAProxy's puts those under labels.
//
// Scraping is best effort: a failed sample is counted and reported as a
// warning, never a reason to stop the run.
//
// Bounds, whatever the endpoint sends (a hostile one: 100k series, huge
// labels, a body that never ends): at most MaxBodyBytes read per scrape,
// lines filtered by name as they stream in so that the exposition parser
// sees at most ~1 MiB of chosen lines, MaxSeries series over the run,
// series names of at most 256 bytes, MaxSamples samples. What a bound left
// out is said in a warning. Messages show the URL redacted (user info and
// secret query parameters).
package scrape
