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
	t0, t1, ok := d.span()
	if !ok {
		return 0, false
	}
	w := d.windows
	first, last := w[0], w[len(w)-1]
	arrivals := float64(first.sent+last.sent) / 2
	for _, v := range w[1 : len(w)-1] {
		arrivals += float64(v.sent)
	}
	x = (arrivals - (last.inFlightMean - first.inFlightMean)) / (t1 - t0)
	return x, isFinite(x) && x > 0
}

// span is the time over which completionRate counts: from the first to
// the last window's mid-time, seconds from the run's start.
func (d *stageData) span() (t0, t1 float64, ok bool) {
	w := d.windows
	if len(w) < 3 {
		return 0, 0, false
	}
	first, last := w[0], w[len(w)-1]
	t0, t1 = first.t+first.dur/2, last.t+last.dur/2
	return t0, t1, t1 > t0
}

// servedRate is the stage's 2xx throughput for the utilisation law: its
// 2xx per second, or less where the completions say the target served
// fewer while the stage ran: the completion rate less the completions
// that were not 2xx (otherDone). n is the 2xx count it stands for
// (Server-Timing's when given, else the stage's); the 2xx completed are
// scaled by n/n2xx.
func (d *stageData) servedRate(n int64) float64 {
	x := float64(n) / d.tau
	xc, ok := d.completionRate()
	if !ok || d.n2xx == 0 {
		return x
	}
	t0, t1, _ := d.span()
	served := (xc - d.otherDone/(t1-t0)) * float64(n) / float64(d.n2xx)
	return math.Min(x, math.Max(served, 0))
}

// timeoutsDue sets each stage's otherDone: the completions within its
// span that were not 2xx. Answers other than 2xx and errors other than
// timeouts end about when they were sent (a window's spread over the
// window); a timeout ends one timeout (timeoutS, seconds) after its
// send, often in a later stage, so a window's timeouts are spread over
// the window shifted by it. Without a timeout, timeouts are left out.
func timeoutsDue(data []*stageData, timeoutS float64) {
	for _, d := range data {
		t0, t1, ok := d.span()
		if !ok {
			continue
		}
		d.otherDone = 0
		for _, o := range data {
			for _, w := range o.windows {
				fast := w.responses - w.n2xx + w.errors - w.timeouts
				d.otherDone += float64(fast) * overlap(w.t, w.dur, t0, t1)
				if timeoutS > 0 {
					d.otherDone += float64(w.timeouts) * overlap(w.t+timeoutS, w.dur, t0, t1)
				}
			}
		}
	}
}

// overlap is the share of [t, t+dur] inside [t0, t1].
func overlap(t, dur, t0, t1 float64) float64 {
	if !(dur > 0) {
		return 0
	}
	return math.Max(0, math.Min(t+dur, t1)-math.Max(t, t0)) / dur
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

// fellBehind reports whether some stage's backlog grew: the target fell
// behind what was sent, so it served as fast as it could there.
func (an *analyzer) fellBehind() bool {
	for _, d := range an.data {
		if d.tau > 0 && d.backlogGrew() {
			return true
		}
	}
	return false
}
