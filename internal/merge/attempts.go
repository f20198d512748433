package merge

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/result"
)

// mergeAttempts merges the stage's attempt records (client retries):
// counts and maps add up, the latency histograms are added and the summary
// read from the sum, and amplification and goodput are recomputed from the
// merged counts. Every input must have them, or none.
func mergeAttempts(field string, parts []part, out *result.Stage) error {
	has := parts[0].st.Attempts != nil
	for _, p := range parts {
		if (p.st.Attempts != nil) != has {
			return &InputError{Index: p.input, Other: parts[0].input, Field: field + ".attempts",
				Got: present(p.st.Attempts != nil), Want: present(has),
				Reason: "results with and without client retries cannot be merged"}
		}
	}
	if !has {
		return nil
	}
	a := &result.Attempts{Status: map[string]int64{}, Errors: zeroErrors()}
	sum := newHistSum()
	for _, p := range parts {
		in := p.st.Attempts
		a.Count += in.Count
		a.Retries += in.Retries
		a.NotSent += in.NotSent
		a.BudgetDenied += in.BudgetDenied
		addCounts(a.Status, in.Status)
		addCounts(a.Errors, in.Errors)
		if err := sum.add(p.input, field+".attempts.hdr.latency", in.HDR.Latency, in.Latency.Count); err != nil {
			return err
		}
	}
	enc, err := sum.encode()
	if err != nil {
		return fmt.Errorf("%s.attempts.hdr.latency: %w", field, err)
	}
	a.HDR.Latency, a.Latency = enc, sum.summary()
	out.Attempts = a
	out.SetRetryRates()
	return nil
}

// addWindowAttempts adds w's attempt counts into out's (nothing when w has
// none).
func addWindowAttempts(out *result.Window, w *result.Window) {
	if w.Attempts == nil {
		return
	}
	if out.Attempts == nil {
		out.Attempts = &result.WindowAttempts{}
	}
	out.Attempts.First += w.Attempts.First
	out.Attempts.Count += w.Attempts.Count
}

// sameRetryPolicy refuses inputs whose clients retried differently (or
// only some of which retried).
func sameRetryPolicy(i int, r, ref *result.Result) *InputError {
	const reason = "results of clients that retry differently cannot be merged"
	switch {
	case (r.RetryPolicy == nil) != (ref.RetryPolicy == nil):
		return differ(i, "retry_policy", present(r.RetryPolicy != nil), present(ref.RetryPolicy != nil), reason)
	case r.RetryPolicy != nil && *r.RetryPolicy != *ref.RetryPolicy:
		return differ(i, "retry_policy", fmt.Sprintf("%+v", *r.RetryPolicy), fmt.Sprintf("%+v", *ref.RetryPolicy), reason)
	}
	return nil
}
