package run

import (
	"fmt"
	"io"
)

// ProgressLine is an Options.Progress for a terminal: one line redrawn in
// place on w (elapsed / planned, sent, in flight, done, not sent), cleared
// when the run stops.
func ProgressLine(w io.Writer) func(Progress, bool) {
	return func(p Progress, final bool) {
		if final {
			fmt.Fprint(w, "\r\033[K")
			return
		}
		fmt.Fprintf(w, "\r\033[K%6.1fs / %s  sent %d  in flight %d  done %d  not sent %d",
			p.Elapsed.Seconds(), p.Planned, p.Sent, p.Now, p.Done, p.NotSent)
	}
}
