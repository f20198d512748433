package run

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// retransWarning says when the client's TCP resent segments to the
// target (Result.TCPRetransmits): against Python's http.server (a listen
// backlog of 5) at 1500 rps one request took 1.04 s, with nothing to say
// why. A SYN the target's kernel drops (its accept queue full) is resent
// after Linux's initial retransmission timeout, 1 s (RFC 6298 §2.1; then
// 2 s more, 4 s more), and the request waits it out: those seconds are
// the backlog's, not the server's work. "" when none were resent.
func retransWarning(r *result.Result) string {
	if r.TCPRetransmits == 0 {
		return ""
	}
	slow := ""
	if h, err := result.DecodeHist(r.Total.HDR.Latency); err == nil && h.TotalCount() > 0 {
		if n := h.TotalCount() - result.CountAtMost(h, 0.999); n > 0 {
			slow = fmt.Sprintf("; %s request%s took 1 s or more", numfmt.Int(n), numfmt.Plural(n))
		}
	}
	return fmt.Sprintf("the client's TCP resent %s segment%s to the target (the kernel's count on its %s connection%s%s): SYNs or requests the target's kernel dropped, as it does when the server accepts connections more slowly than they come and its listen backlog is full, or the network lost; each held its request 1 s or more (the first retransmission timeout; 3 s after a second), so latencies near 1 s and 3 s are these, not the server's work",
		numfmt.Int(r.TCPRetransmits), numfmt.Plural(r.TCPRetransmits), numfmt.Int(r.Connections), numfmt.Plural(r.Connections), slow)
}
