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
// Scraping is best effort: a failed sample is counted and reported as a
// warning, never a reason to stop the run.
package scrape
