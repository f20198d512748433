package openloop

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// advance records that the dispatcher has scheduled everything before t,
// and finalizes the intervals that are over and complete. Called locked.
func (r *recorder) advance(t time.Duration) {
	if t <= r.passed {
		return
	}
	r.passed = t
	r.settle()
	for ; r.scanWin < len(r.windows) && r.windows[r.scanWin].end <= t; r.scanWin++ {
		if w := &r.windows[r.scanWin]; !w.final && w.complete() {
			r.markFinal(w)
		}
	}
	for ; r.scanStg < len(r.stages) && r.stages[r.scanStg].end <= t; r.scanStg++ {
		if s := &r.stages[r.scanStg]; !s.final && s.complete() {
			r.markFinal(s)
		}
	}
}

// markFinal marks an interval whose members have all finished: nothing
// records into its histograms any more (its area and maximum may still
// grow), so the finalizer may compact them without the lock. Called locked.
func (r *recorder) markFinal(a *acc) {
	a.final = true
	select {
	case r.finals <- a:
	default:
		// The finalizer is behind: build() compacts what is left at the end.
		a.final = false
	}
}

// finalizer compacts intervals as they become final, until finals is closed.
func (r *recorder) finalizer(done chan<- struct{}) {
	background() // background_linux.go: never ahead of the sends
	defer close(done)
	for a := range r.finals {
		r.compact(a)
		if a.window && r.onWindow != nil {
			a.sealed = true
			r.streamSealed()
		}
	}
}

// streamSealed reports the windows sealed in order since the last call
// (finalizer only). A window whose members and all earlier windows'
// members have ended is final in every field: later requests are sent
// after its end, so they add neither area nor in-flight to it. The lock
// is taken to read it (a later request's in-flight carry may still
// rewrite its maximum with the same value).
func (r *recorder) streamSealed() {
	for r.streamNext < len(r.windows) && r.windows[r.streamNext].sealed {
		w := &r.windows[r.streamNext]
		r.mu.Lock()
		row := r.row(w, w.end)
		r.mu.Unlock()
		r.onWindow(row)
		r.streamNext++
	}
}

// compact encodes a window's histograms, or packs a stage's; it runs
// without the lock, on an interval marked final.
func (r *recorder) compact(a *acc) {
	if a.dense[0] != nil || a.dense[hSendLag] != nil {
		r.compactStage(a)
	} else {
		r.compactWindow(a)
	}
}

// denseSet returns a stage's dense histograms, reusing finished ones.
func (r *recorder) denseSet() (out [nHist]*hdr.Histogram) {
	r.freeMu.Lock()
	defer r.freeMu.Unlock()
	for i := range out {
		if n := len(r.free); n > 0 {
			out[i], r.free = r.free[n-1], r.free[:n-1]
			out[i].Reset()
		} else {
			out[i] = result.NewHistogram()
		}
	}
	return out
}

// preopen gives stage i its dense histograms ahead of its first arrival,
// so that the dispatcher does not pay for them there: a set is megabytes
// to allocate and zero, and the first arrival of a run was sent 6-8 ms
// late for it. The engine preopens the first stage before the start, and
// scheduled each next stage, in the background, when its predecessor's
// first arrival comes. A stage already open keeps its set.
func (r *recorder) preopen(i int) {
	if i >= len(r.stages) {
		return
	}
	r.mu.Lock()
	done := r.opened[i]
	r.mu.Unlock()
	if done {
		return
	}
	set := r.denseSet()
	r.mu.Lock()
	if !r.opened[i] {
		r.opened[i], r.stages[i].dense = true, set
		set = [nHist]*hdr.Histogram{}
	}
	r.mu.Unlock()
	r.freeMu.Lock()
	for _, h := range set {
		if h != nil {
			r.free = append(r.free, h)
		}
	}
	r.freeMu.Unlock()
}

// compactStage moves a finished stage's histograms into compact packed
// form and frees the dense ones for the next stage.
func (r *recorder) compactStage(s *acc) {
	var freed []*hdr.Histogram
	for i, d := range s.dense {
		if d == nil {
			continue
		}
		if d.TotalCount() > 0 {
			p := result.NewPacked()
			p.MergeFrom(d)
			s.packed[i] = p
		}
		freed = append(freed, d)
		s.dense[i] = nil
	}
	r.freeMu.Lock()
	r.free = append(r.free, freed...)
	r.freeMu.Unlock()
}

// compactWindow encodes a finished window's histograms and releases them,
// leaving only its row's figures in memory: the counters and the latency
// summary, the encodings being in the run's spill (result.Spill; in
// memory when it could not be made or written). A window's memory is what
// grows with the run, a second at a time, so a window whose responses
// were all 2xx, with one latency histogram twice, has it encoded and
// stored once.
func (r *recorder) compactWindow(w *acc) {
	w.lat = summarizePacked(w.packed[hLatency])
	all, two := w.packed[hLatency], w.packed[hLatency2xx]
	same := all != nil && two != nil && all.TotalCount() == two.TotalCount() // the same values: see done
	var enc [nWindowHist]string
	for i := range enc {
		if p := w.packed[i]; p != nil && !(same && i == hLatency2xx) {
			enc[i], _ = r.enc.Packed(p) // encoding a valid histogram cannot fail
		}
		w.packed[i] = nil
	}
	if same {
		enc[hLatency2xx] = enc[hLatency]
	}
	var err error
	if w.hdr, err = r.spill.HDR(enc[hLatency], enc[hLatency2xx], enc[hService]); err != nil {
		r.spill = nil // a disk that failed once: the rest of the run in memory
	}
}

// summarizePacked is result.Summarize for a packed histogram.
func summarizePacked(p *hdr.PackedHistogram) result.Summary {
	if p == nil {
		return result.Summary{}
	}
	return result.SummarizeMergeable(p)
}
