package analysis

import "math"

// A stage counts its requests by intended send time, so its 2xx per
// second is the rate at which requests that were eventually served
// arrived, not the rate at which the target served them: past capacity,
// the backlog a stage leaves is served after it ends and still counts
// for it (HAProxy queueing for 4 connections of 10 ms, 400 requests/s:
// 592 "2xx/s" at 600 offered, every request answered seconds later). The
// in-flight count is wall-clock, so what left it during the stage is
// told by conservation: completions = arrivals − the growth of in flight.

// completionRate is the rate (per second) at which requests left the
// client's in-flight count during the stage, from its windows: arrivals
// between the first and last windows' mid-times less the growth of the
// windows' mean in-flight level between them. Completions are answers
// and errors alike, of any stage's requests. ok is false with fewer than
// three windows.
func (d *stageData) completionRate() (x float64, ok bool) {
	w := d.windows
	if len(w) < 3 {
		return 0, false
	}
	first, last := w[0], w[len(w)-1]
	t0, t1 := first.t+first.dur/2, last.t+last.dur/2
	if !(t1 > t0) {
		return 0, false
	}
	arrivals := float64(first.sent+last.sent) / 2
	for _, v := range w[1 : len(w)-1] {
		arrivals += float64(v.sent)
	}
	x = (arrivals - (last.inFlightMean - first.inFlightMean)) / (t1 - t0)
	return x, isFinite(x) && x > 0
}

// servedRate is the stage's 2xx throughput for the utilisation law: its
// 2xx per second, or less where the completions say the target served
// fewer while the stage ran (the 2xx share of its completions at the
// completion rate). n is the 2xx count it stands for (Server-Timing's
// when given, else the stage's).
func (d *stageData) servedRate(n int64) float64 {
	x := float64(n) / d.tau
	if xc, ok := d.completionRate(); ok && d.st.Completed > 0 {
		x = math.Min(x, xc*float64(n)/float64(d.st.Completed))
	}
	return x
}

// backlogGrew reports whether the stage's in-flight level grew by more
// than 5% of its arrivals and by at least 10 requests: the target fell
// behind what was sent, though it may answer every request in the end
// (then no 2xx is short and only this shows the plateau).
func (d *stageData) backlogGrew() bool {
	w := d.windows
	if len(w) < 3 {
		return false
	}
	grew := w[len(w)-1].inFlightMean - w[0].inFlightMean
	return grew >= 10 && grew > 0.05*float64(d.st.Sent)
}
