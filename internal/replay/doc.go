// Package replay reads a request log — JSON lines or the NCSA combined
// access-log format — into an explicit arrival list for an open-loop
// replay (docs/cli.md, --replay): request i is sent at (tᵢ − t₀)/X after
// the start, X being the replay speed.
//
// Memory is bounded by the log's size, not by what it repeats: a Log holds
// 12 bytes per arrival (an int64 time offset and a uint32 request index, in
// two slices) and each distinct request (method, URL, headers, body) once,
// found by a hash of its content; at most schedule.MaxExplicit arrivals.
// The requests' names ("METHOD path") are grouped by package mix into at
// most 100 names and "other".
package replay
