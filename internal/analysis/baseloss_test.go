package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// lossStages is a run of 5-second stages at the given rates whose given
// shares of the requests sent were answered 503, the rest 2xx.
func lossStages(rates, shares []float64) []*stageData {
	var data []*stageData
	for i, rate := range rates {
		sent := int64(rate * 5)
		n503 := int64(shares[i] * float64(sent))
		st := &result.Stage{Index: i + 1, StartS: 5 * float64(i), EndS: 5 * float64(i+1), Sent: sent,
			Status: map[string]int64{"200": sent - n503, "503": n503}}
		data = append(data, &stageData{st: st, pos: i, tau: 5, lambda: rate, responses: sent, n2xx: sent - n503, n503: n503,
			shed: &shedCodes{codes: defaultShed}})
	}
	return data
}

// TestBaseLoss: a share lost at the two lowest loads alike (their rates a
// fifth apart or more) is no knee; a run that starts past its capacity
// loses more at its second load and keeps its knee at stage 1; overload
// on top of a constant loss is the knee where the shortfall passes it.
func TestBaseLoss(t *testing.T) {
	for _, tc := range []struct {
		name          string
		rates, shares []float64
		base          bool
		knee          int // 0: none
	}{
		{"the same share at every load", []float64{100, 300, 500, 700}, []float64{0.13, 0.14, 0.14, 0.13}, true, 0},
		{"started past capacity", []float64{800, 1500, 2100}, []float64{0.25, 0.5, 0.6}, false, 1},
		{"a constant loss, then overload", []float64{100, 300, 500, 700}, []float64{0.13, 0.13, 0.25, 0.40}, true, 3},
		{"kept up", []float64{100, 300, 500}, []float64{0, 0, 0}, false, 0},
		{"the two lowest loads too close to tell", []float64{100, 110, 500}, []float64{0.13, 0.13, 0.4}, false, 1},
		{"overload from the second load", []float64{100, 300, 500}, []float64{0, 0.2, 0.4}, false, 2},
		// 200 and 240 requests, past a capacity of 20/s from the start:
		// 50% and 58% lost, equal within the intervals, but the 2xx
		// throughput stays at 20/s.
		{"short stages past capacity", []float64{40, 48, 80}, []float64{0.5, 0.58, 0.75}, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := lossStages(tc.rates, tc.shares)
			base, _, _, _ := stageBaseLoss(data)
			if (base > 0) != tc.base || tc.base && (base < tc.shares[0] || base > tc.shares[0]+0.05) {
				t.Errorf("base loss %.4g, want one: %v (near %g)", base, tc.base, tc.shares[0])
			}
			k := findKnee(data)
			switch {
			case tc.knee == 0 && k != nil:
				t.Errorf("knee at stage %d (%s), want none", k.Stage, k.Reason)
			case tc.knee > 0 && (k == nil || k.Stage != tc.knee):
				t.Errorf("knee %+v, want stage %d", k, tc.knee)
			}
			if w := baseLossWarning(data); (w != "") != tc.base {
				t.Errorf("warning %q", w)
			}
		})
	}
}

// Go's net/http with http.TimeoutHandler (20 ms) around an exponential
// 10 ms handler, Poisson 100 → 700 rps (testdata/shedding/README.md): 12 to
// 14% of the requests are answered 503 after 20 ms at every load, with no
// queue and no worker limit. No knee, no workers read from a plateau that
// is not one, no capacity, and "every load:" as the reason no mechanism
// applies; it read a knee at stage 1, c = 4 and a capacity of 584 rps
// "from the throughput plateau".
func TestRecordedGoTimeoutHandler(t *testing.T) {
	_, a := recorded(t, "go-timeout-handler.json")
	sh := a.Shedding
	if a.Knee != nil || a.Model.Workers != 0 || a.CapacityRPS != 0 {
		t.Errorf("knee %+v, c = %d, capacity %g (%s): want none of them", a.Knee, a.Model.Workers, a.CapacityRPS, a.CapacitySource)
	}
	if why := sh.UnknownReason(); !strings.HasPrefix(why, result.UnknownEveryLoad) || !strings.Contains(why, "the 503 answers took 20.") {
		t.Errorf("shedding %s: %q", sh.Mechanism, sh.Evidence)
	}
	if !strings.Contains(strings.Join(a.Warnings, "\n"), "a loss that does not grow with the load is not overload") {
		t.Errorf("warnings %q", a.Warnings)
	}
}

// The same handler behind a semaphore of 4 slots, its wait for one within
// the 50 ms timeout (the usual Go concurrency limit): past 4 workers'
// capacity the requests that wait and serve past 50 ms get 503. No
// mechanism modelled here cuts the service off, so it is "unknown"; the
// capacity is what the target served, not c/E[S] with c rounded up from
// it (451 against 377 served); and Server-Timing's E[S], sent with the
// 2xx only, is said to leave the cut-off services out (6.8 ms against the
// handler's 10).
func TestRecordedGoSemaphoreTimeout(t *testing.T) {
	_, a := recorded(t, "go-semaphore-timeout.json")
	if a.Knee == nil || a.Knee.Stage != 3 || a.Shedding.Mechanism != mechUnknown {
		t.Fatalf("knee %+v, shedding %s", a.Knee, a.Shedding.Mechanism)
	}
	if a.CapacityRPS > a.MaxThroughputRPS {
		t.Errorf("capacity %.4g (%s) above the most the target served, %.4g", a.CapacityRPS, a.CapacitySource, a.MaxThroughputRPS)
	}
	for _, name := range []string{"go-semaphore-timeout.json", "go-timeout-handler.json"} {
		r, a := recorded(t, name)
		if !strings.Contains(strings.Join(a.Warnings, "\n"), "leaves out the longest services") {
			t.Errorf("%s: warnings %q", name, a.Warnings)
		}
		// size --from says it too: it sizes with that E[S].
		if _, _, _, notes, err := SizeInputs(r); err != nil || !strings.Contains(strings.Join(notes, "\n"), "leaves out the longest services") {
			t.Errorf("%s: size notes %q, %v", name, notes, err)
		}
	}
}

// The same handler behind the semaphore with its wait bounded instead
// (503 after 5 ms without a slot; no TimeoutHandler): a queue timeout,
// which sheds a little at any load (2.6% at half the capacity) but serves
// what it admits to the end, so its E[S] leaves nothing out. It was read
// as a queue timeout, and warned that E[S] left out services cut off
// (half the 2xx at that load took longer than the 503s).
func TestRecordedGoSemaphoreWait(t *testing.T) {
	r, a := recorded(t, "go-semaphore-wait.json")
	sh := a.Shedding
	// HAProxy's queue timeout is held to 25% (recorded_test.go); the same here.
	if sh.Mechanism != mechQueueTimeout || sh.Workers != 4 || math.Abs(sh.QueueTimeoutS-0.005) > 0.25*0.005 {
		t.Errorf("shedding %s, c = %d, D = %gs: want queue-timeout, 4, 5ms", sh.Mechanism, sh.Workers, sh.QueueTimeoutS)
	}
	if w := strings.Join(a.Warnings, "\n"); strings.Contains(w, "leaves out the longest services") {
		t.Errorf("warnings %q", a.Warnings)
	}
	if _, _, _, notes, err := SizeInputs(r); err != nil || strings.Contains(strings.Join(notes, "\n"), "leaves out the longest services") {
		t.Errorf("size notes %q, %v", notes, err)
	}
}
