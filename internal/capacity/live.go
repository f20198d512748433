package capacity

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/run"
)

// Live is the one-line display of a search on a terminal: the probe, its
// rate and phase, the search's time against its budget, and the run's
// counts, redrawn in place on W; each probe's verdict stays on a line of
// its own. Event is a Config.OnEvent and Progress a run.Options.Progress;
// they may be called from different goroutines.
type Live struct {
	W      io.Writer
	Budget time.Duration

	mu   sync.Mutex
	last Event
}

// Event records the search's step; a probe's end prints its verdict.
func (l *Live) Event(ev Event) {
	l.mu.Lock()
	l.last = ev
	l.mu.Unlock()
	if ev.Phase == "done" {
		fmt.Fprintf(l.W, "\r\033[Kprobe %d @ %s rps: %s\n", ev.Probe, numfmt.Rate(ev.Rate), ev.Verdict)
	}
}

// Progress redraws the line with the segment's counts; final clears it.
func (l *Live) Progress(pr run.Progress, final bool) {
	if final {
		fmt.Fprint(l.W, "\r\033[K")
		return
	}
	l.mu.Lock()
	ev := l.last
	l.mu.Unlock()
	what := "probe"
	if ev.Overload {
		what = "overload probe"
	}
	fmt.Fprintf(l.W, "\r\033[K%s %d @ %s rps (%s)  %s / %s budget  sent %d  in flight %d  not sent %d",
		what, ev.Probe, numfmt.Rate(ev.Rate), ev.Phase, numfmt.Duration(ev.Elapsed.Seconds()+pr.Elapsed.Seconds()),
		numfmt.Duration(l.Budget.Seconds()), pr.Sent, pr.Now, pr.NotSent)
}
