package openloop

import (
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// part is one dispatcher's share of a run: the worker pool's dispatcher or
// one event loop has one; several event loops (Config.Parts) one each.
// Everything in it but stop is written by its dispatcher alone; they meet
// only in the recorder (locked) and in the engine's atomic counters.
type part struct {
	index    int
	sched    *schedule.Schedule
	gaps     []gapStats     // per stage: the gaps between this dispatcher's sends
	passMark time.Duration  // the next window boundary to tell the recorder about (passing.go)
	peak     int            // the most connections it held (event loop)
	bufs     bufStats       // what its line buffers did (evbuf.go)
	slack    time.Duration  // the timer slack its loop ended with (wakelat.go)
	wakeLate *hdr.Histogram // how late its loop's timed wake-ups ended, ns (nil in worker mode)
	runWait  time.Duration  // how long its loop's thread waited for a processor (−1: unknown)
	loop     *evLoop        // its event loop, made before the start (prepare_linux.go); nil in worker mode
}

// newParts makes the dispatchers' parts: one per schedule of cfg.Parts
// when the event loop runs several, else one for cfg.Schedule.
func newParts(cfg *Config) []*part {
	scheds := []*schedule.Schedule{cfg.Schedule}
	if cfg.EventLoop && len(cfg.Parts) > 1 {
		scheds = cfg.Parts
	}
	out := make([]*part, len(scheds))
	for i, s := range scheds {
		out[i] = &part{index: i, sched: s, gaps: make([]gapStats, cfg.Schedule.Stages())}
		if cfg.EventLoop {
			out[i].wakeLate = result.NewHistogram()
		}
	}
	return out
}

// stageGaps merges the parts' gap statistics of stage i. Each part's gaps
// are those of a disjoint thinning of the arrivals, with the same squared
// coefficient of variation as the whole (the parts are a random or a
// round-robin split); the merged moments give that SCV.
func (e *Engine) stageGaps(i int) gapStats {
	var g gapStats
	for _, p := range e.parts {
		g.n += p.gaps[i].n
		g.sum += p.gaps[i].sum
		g.sumSq += p.gaps[i].sumSq
	}
	return g
}

// stops collects when each event loop stopped sending. Each reports once:
// when it notices an interrupt (or fails), or when it returns without
// having noticed one. When the last has reported and any was interrupted,
// the run's stop is the latest of their stops, so every arrival a loop
// scheduled lies before it; a completion recorded before then ended
// before it too (a loop records a completion when it happened or later),
// so none of its area needed clipping.
type stops struct {
	mu          sync.Mutex
	n           int
	last        time.Duration
	interrupted bool
}

// stopped records that a dispatcher stopped sending at t (from the start),
// interrupted or not; with one dispatcher an interrupt is marked at once.
func (e *Engine) stopped(t time.Duration, interrupted bool) {
	if len(e.parts) == 1 {
		if interrupted {
			e.stopAt(e.start.Add(t))
		}
		return
	}
	s := &e.stopsMu
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	s.last = max(s.last, t)
	s.interrupted = s.interrupted || interrupted
	if s.n == len(e.parts) && s.interrupted {
		e.stopAt(e.start.Add(s.last))
	}
}

// finished records that dispatcher p has scheduled all of its arrivals
// (several event loops: the others may still be going).
func (e *Engine) finished(p *part) {
	if len(e.parts) == 1 {
		return
	}
	e.rec.mu.Lock()
	e.rec.reach(p.index, time.Duration(1<<63-1))
	e.rec.mu.Unlock()
}

// acquire takes a slot of Config.MaxInFlight for a request of an event
// loop; false when all are taken. The bound is one for all the loops.
func (e *Engine) acquire() bool {
	if e.flying.Add(1) > int64(e.cfg.MaxInFlight) {
		e.flying.Add(-1)
		return false
	}
	return true
}

// release gives back a slot taken by acquire.
func (e *Engine) release() { e.flying.Add(-1) }

// peakConns is the most connections (event loops, added up) or workers
// the run held.
func (e *Engine) peakConns() int {
	n := 0
	for _, p := range e.parts {
		n += p.peak
	}
	return n
}

// timerSlack is the timer slack the run used: Config.TimerSlack, or under
// SlackAuto the largest its event loops chose (0 in worker mode).
func (e *Engine) timerSlack() time.Duration {
	if e.cfg.TimerSlack != SlackAuto {
		return e.cfg.TimerSlack
	}
	var s time.Duration
	for _, p := range e.parts {
		s = max(s, p.slack)
	}
	return s
}

// lineBufs adds up what the event loops' line buffers did.
func (e *Engine) lineBufs() bufStats {
	var b bufStats
	for _, p := range e.parts {
		b.refused += p.bufs.refused
		b.peak += p.bufs.peak
		b.left += p.bufs.left
	}
	return b
}

// LoopShards splits shard sh of a plan (the zero Shard: the whole plan)
// into n disjoint shards whose union is exactly sh's arrivals, one per
// event loop (Config.Parts): loop j (0-based) takes shard (I−1)+N·j+1 of
// N·n. The schedule gives arrival k (uniform: its index; poisson: a hash
// of the seed and the index) to shard (k mod M)+1 of M, and
// (k mod N·n) mod N = k mod N, so loop j's arrivals are the arrivals of sh
// whose k mod N·n is (I−1)+N·j: together, all of sh's, each once.
func LoopShards(sh schedule.Shard, n int) []schedule.Shard {
	if sh.Count == 0 {
		sh = schedule.Shard{Index: 1, Count: 1}
	}
	out := make([]schedule.Shard, n)
	for j := range out {
		out[j] = schedule.Shard{Index: sh.Index + sh.Count*j, Count: sh.Count * n}
	}
	return out
}
