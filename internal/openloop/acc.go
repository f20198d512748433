package openloop

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Histogram slots of an accumulator. Windows use the first three.
const (
	hLatency    = iota // intended send → completion, responses
	hLatency2xx        // the same, 2xx responses
	hService           // actual send → completion, responses
	hSendLag           // actual − intended send, every sent request
	hSrvQueue          // target's Server-Timing queue
	hSrvService        // target's Server-Timing svc
	nHist
	nWindowHist = hService + 1
)

// errIndex maps an error class to its slot in acc.errors.
func errIndex(class string) int {
	for i, c := range result.ErrorClasses {
		if c == class {
			return i
		}
	}
	return len(result.ErrorClasses) - 2 // other
}

// ErrorSlot is the index in result.ErrorClasses under which the recorder
// counts an error of class (an unknown class counts as other), for live
// counters that must count exactly what the result counts.
func ErrorSlot(class string) int { return errIndex(class) }

// acc accumulates one stage or one window. Counters are of the requests
// whose intended send time falls in [start, end); area and maxInFlight are
// of the wall-clock interval [start, end).
type acc struct {
	start, end time.Duration

	scheduled, sent, notSent, completed int64
	status                              map[int]int64
	levels                              map[int][]int64 // stages: responses by status and level (levels.go)
	errors                              [len(result.ErrorClasses)]int64

	areaNS      float64 // ∫ in-flight dt over the interval, request·ns
	busyNS      float64 // Σ (completion − actual send) of the members
	maxInFlight int64

	srvSum, srvSumSq float64 // Server-Timing svc, seconds and seconds²

	dense  [nHist]*hdr.Histogram       // stages while recording
	packed [nHist]*hdr.PackedHistogram // windows while recording; stages once final
	final  bool
	window bool             // a timeline window (not a stage)
	sealed bool             // a window compacted by the finalizer: its row may be streamed
	hdr    result.WindowHDR // encoded histograms once final (windows), in the run's spill
	lat    result.Summary   // the latency summary once final (windows)
	att    *attAcc          // attempts, with retries on (retryrec.go)
}

// complete reports whether every member has an outcome, given that the
// dispatcher has passed the end of the interval.
func (a *acc) complete() bool {
	return a.scheduled == a.notSent+a.completed
}

func (a *acc) record(slot int, ns int64) {
	ns = result.ClampNS(ns)
	if a.dense[slot] != nil {
		_ = a.dense[slot].RecordValue(ns) // in range by ClampNS
		return
	}
	if a.packed[slot] == nil {
		a.packed[slot] = result.NewPacked()
	}
	_ = a.packed[slot].RecordValue(ns)
}

func (a *acc) addStatus(code int) {
	if a.status == nil {
		a.status = make(map[int]int64, 4)
	}
	a.status[code]++
}

// overlap is the length of [s, e) ∩ [a.start, a.end) in ns, bounded by limit.
func (a *acc) overlap(s, e, limit time.Duration) float64 {
	lo, hi := max(s, a.start), min(e, a.end, limit)
	if hi <= lo {
		return 0
	}
	return float64(hi - lo)
}
