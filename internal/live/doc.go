// Package live lets a run be watched while it runs: a Prometheus /metrics
// endpoint of the generator (Listen, Metrics) and a JSON-lines stream of
// the timeline (Stream).
//
// The metrics count what the result counts, from the same recording path:
// scheduled, sent, not sent and in flight are the engine's own live
// counters (openloop.Engine.Progress), read at scrape time; responses by
// status code, errors by class and the latency histogram are updated per
// request from openloop.Config.OnDone with atomics only (no lock, no map
// on the hot path), classified exactly as the recorder classifies. After
// the run the counters equal the result's totals.
//
// The exposition is client_golang's (a private prometheus.Registry per
// run: no global state), so the text format, content negotiation and
// native histograms are the ecosystem's, not ours.
//
// The stream writes each 1-second timeline row as the recorder seals it
// (openloop.Config.OnWindow): the row is built by the recorder's own
// window finalisation, never re-aggregated here.
package live
