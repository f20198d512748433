// Package result defines the bploadgen result document (schema
// "bploadgen.result/v1", see docs/result.md) and the HDR histogram
// conventions every layer shares: how latencies are recorded, encoded into
// the result for exact merging, and summarised into percentiles.
//
// The package is the meeting point of the data flow: the engine
// (internal/openloop) produces a Result, and analysis, assertions, reports,
// merge and compare read it. It performs no I/O beyond Read/Write.
//
// Units: every duration in the JSON is a float64 in seconds (fields ending
// in _s), every rate is per second (_rps). Histograms record nanoseconds.
package result
