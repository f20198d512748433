package analysis

import (
	"math"
	"testing"
	"time"
)

func TestCheckMetastability(t *testing.T) {
	stages := []RetryStage{
		{Name: "base", StartS: 0, EndS: 10, OfferedRPS: 100},
		{Name: "spike", StartS: 10, EndS: 20, OfferedRPS: 400},
		{Name: "after", StartS: 20, EndS: 40, OfferedRPS: 100},
	}
	// windows builds 1 s windows over 0..40 with 100 first attempts a
	// second (400 in the spike) and attempts = first × amp(t).
	windows := func(amp func(t float64) float64) []RetryWindow {
		var ws []RetryWindow
		for s := 0; s < 40; s++ {
			first := int64(100)
			if s >= 10 && s < 20 {
				first = 400
			}
			ws = append(ws, RetryWindow{StartS: float64(s), DurationS: 1, First: first,
				Attempts: int64(float64(first) * amp(float64(s)))})
		}
		return ws
	}
	// Honouring clients: the retries die out 3 s after the spike.
	rec := CheckMetastability(stages, windows(func(t float64) float64 {
		if t >= 10 && t < 23 {
			return 2
		}
		return 1
	}), 5*time.Second)
	if len(rec) != 1 || rec[0].Stage != "after" {
		t.Fatalf("checked %+v, want the one stage after the drop", rec)
	}
	if m := rec[0]; m.Verdict != Recovered || m.FromS != 25 || m.Factor != 1 || m.RecoveryS != 3 || m.FirstRPS != 100 {
		t.Errorf("recovering clients: %+v", m)
	}
	// Retry storm: attempts stay at 2.5× first attempts to the end.
	amp := CheckMetastability(stages, windows(func(t float64) float64 {
		if t >= 10 {
			return 2.5
		}
		return 1
	}), 5*time.Second)
	if m := amp[0]; m.Verdict != Amplified || m.Factor != 2.5 || m.RecoveryS != -1 || m.AttemptRPS != 250 {
		t.Errorf("storm: %+v", m)
	}
	// A tail of chained retries still coming down when the largest delay
	// has passed (×3 to 28 s, the judged span from 25 s averaging above
	// 1.1) is recovered once it settles before the stage's end; one that
	// settles and flares up again in the last window is not.
	tail := CheckMetastability(stages, windows(func(t float64) float64 {
		if t >= 10 && t < 28 {
			return 3
		}
		return 1
	}), 5*time.Second)
	if m := tail[0]; m.Verdict != Recovered || m.RecoveryS != 8 || m.Factor <= 1+RecoveryTolerance {
		t.Errorf("settling tail: %+v", m)
	}
	flare := CheckMetastability(stages, windows(func(t float64) float64 {
		if t >= 10 && t < 23 || t >= 39 {
			return 2
		}
		return 1
	}), 5*time.Second)
	if m := flare[0]; m.Verdict != Amplified || m.RecoveryS != -1 || m.Factor > 1+RecoveryTolerance {
		t.Errorf("flare in the last window: %+v", m)
	}
	// Within 10% counts as recovered; just above does not.
	for _, tc := range []struct {
		amp  float64
		want string
	}{{1.10, Recovered}, {1.12, Amplified}} {
		got := CheckMetastability(stages, windows(func(float64) float64 { return tc.amp }), time.Second)[0].Verdict
		if got != tc.want {
			t.Errorf("amplification %.2f: %s, want %s", tc.amp, got, tc.want)
		}
	}
	// A stage shorter than the largest delay cannot be judged.
	if got := CheckMetastability(stages, windows(func(float64) float64 { return 1 }), 30*time.Second)[0].Verdict; got != Undecided {
		t.Errorf("delay longer than the stage: %s", got)
	}
	// No drop, no check.
	if got := CheckMetastability(stages[:2], nil, time.Second); len(got) != 0 {
		t.Errorf("no drop: %+v", got)
	}
}

// TestRecoveryTime: from the spike's end to the start of the first window
// from which every later window is within 10%, or not recovered.
func TestRecoveryTime(t *testing.T) {
	w := func(start float64, first, attempts int64) RetryWindow {
		return RetryWindow{StartS: start, DurationS: 1, First: first, Attempts: attempts}
	}
	spike := []RetryWindow{w(0, 100, 100), w(1, 400, 900), w(2, 400, 1000)}
	for _, tc := range []struct {
		name  string
		after []RetryWindow
		from  float64
		want  float64
		ok    bool
	}{
		{"at once", []RetryWindow{w(3, 100, 110), w(4, 100, 100)}, 3, 0, true},
		{"after 2 s", []RetryWindow{w(3, 100, 300), w(4, 100, 150), w(5, 100, 105), w(6, 100, 100)}, 3, 2, true},
		{"relapse counts from the last unsettled window", []RetryWindow{w(3, 100, 100), w(4, 100, 200), w(5, 100, 100)}, 3, 2, true},
		{"just above 10% is not settled", []RetryWindow{w(3, 100, 300), w(4, 100, 111)}, 3, 0, false},
		{"retries with no first attempts", []RetryWindow{w(3, 100, 100), w(4, 0, 5)}, 3, 0, false},
		{"a window with nothing sent settles", []RetryWindow{w(3, 100, 250), w(4, 0, 0)}, 3, 1, true},
		{"spike ends inside a window: the next one", []RetryWindow{w(3, 100, 100), w(4, 100, 100)}, 2.5, 0.5, true},
		{"no window after the spike", nil, 3, 0, false},
	} {
		got, ok := RecoveryTime(append(append([]RetryWindow{}, spike...), tc.after...), tc.from)
		if ok != tc.ok || ok && math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: %g, %v; want %g, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
