package result

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/numfmt"
)

// GeneratorLimit says how the generator, not the target, bounded the
// run's load, as a clause for people ("" when GeneratorLimited is false):
// requests not sent, which the target was never offered, or every request
// sent but some late, which it was offered in bunches (the latencies still
// count from the intended send times, so nothing is understated).
func (r *Result) GeneratorLimit() string {
	switch {
	case !r.GeneratorLimited:
		return ""
	case r.Total.NotSent > 0:
		return fmt.Sprintf("the generator itself limited the load: %s of %s requests were not sent (see the warnings), so the target was offered less than planned",
			numfmt.Int(r.Total.NotSent), numfmt.Int(r.Total.Scheduled))
	}
	return "the generator fell behind its schedule (see the warnings): every request was sent, some late and bunched together, so the target saw a burstier load than planned; the latencies still count from the intended send times"
}
