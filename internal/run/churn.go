package run

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// churnWarning says when the target made the client open a connection
// for most requests: far more connections than the requests ever in
// flight at once needed (a keep-alive client opens one per request only
// when the server closes them: Connection: close, an HTTP/1.0 server, a
// keep-alive limit of a few requests). Each such request paid a connect
// in its latency, and the target a connection's set-up; a run against
// Python's http.server (HTTP/1.0) opened 200 connections for 200 requests
// and said nothing. "" when the connections fit the load, once those
// that errors closed are left out.
func churnWarning(r *result.Result) string {
	sent := r.Total.Sent
	if a := r.Total.Attempts; a != nil {
		sent = a.Count
	}
	// A request that ended in a transport error (a timeout, a reset) took
	// its connection with it: the next one opens another, which says
	// nothing about keep-alive. Against Apache past its workers and listen
	// backlog, 9,865 timeouts made 25,192 connections for 36,043 requests
	// and the warning blamed keep-alive.
	conns := r.Connections
	for _, n := range r.Total.Errors {
		conns -= n
	}
	if conns < 10 || 2*conns < sent || conns <= 2*(r.Total.InFlightMax+1) {
		return ""
	}
	return fmt.Sprintf("the client opened %s connections for %s requests sent (at most %s in flight at once): the target closed its connections (Connection: close, HTTP/1.0, a keep-alive limit of a few requests, or an idle timeout shorter than the gaps between them), so most requests paid a new connection in their latency",
		numfmt.Int(r.Connections), numfmt.Int(sent), numfmt.Int(r.Total.InFlightMax))
}
