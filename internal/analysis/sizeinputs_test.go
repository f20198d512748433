package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/result"
)

func TestSizeInputs(t *testing.T) {
	t.Parallel()
	r := demoSynth(31).result(t)
	rate, d, ca2, notes, err := SizeInputs(r)
	if err != nil {
		t.Fatal(err)
	}
	// The peak achieved rate is the 1100 rps stage's (± its Poisson noise);
	// Server-Timing gives an exponential 10 ms; the arrivals are Poisson.
	if math.Abs(rate/1100-1) > 0.05 || rate != r.Stages[3].AchievedRPS {
		t.Errorf("rate %g", rate)
	}
	if d.Kind != dist.Exponential || math.Abs(d.Mean/0.01-1) > 0.03 {
		t.Errorf("service %+v", d)
	}
	if math.Abs(ca2-1) > 0.1 {
		t.Errorf("arrival SCV %g", ca2)
	}
	if j := strings.Join(notes, "\n"); !strings.Contains(j, "server-timing") || !strings.Contains(j, "stage 4") {
		t.Errorf("notes %q", notes)
	}
	// The service is written as people read it (dist.Rounded), not to
	// the nanosecond.
	if j := strings.Join(notes, "\n"); !strings.Contains(j, "service "+d.Rounded()+":") || d.Rounded() == d.String() {
		t.Errorf("notes %q, want the service as %q (not %q)", notes, d.Rounded(), d.String())
	}

	// Without Server-Timing, estimated, and said so; uniform arrivals.
	s := synth{c: 8, k: 24, mean: 0.01, rates: []float64{100, 300}, stageDur: 4, uniform: true, noST: true, seed: 32}
	_, d, ca2, notes, err = SizeInputs(s.result(t))
	if err != nil || !(d.Mean > 0.009 && d.Mean < 0.012) || ca2 > 0.05 || !strings.Contains(strings.Join(notes, " "), "estimated from the lowest-load stage") {
		t.Errorf("estimated: %+v ca2 %g notes %q err %v", d, ca2, notes, err)
	}

	// Nothing to go on.
	for _, r := range []*result.Result{nil, {}, {Stages: []result.Stage{{Index: 1, StartS: 0, EndS: 1}}}} {
		if _, _, _, _, err := SizeInputs(r); err == nil {
			t.Errorf("%+v: no error", r)
		}
	}
	few := &result.Result{Arrival: "poisson", Stages: []result.Stage{{Index: 1, StartS: 0, EndS: 1, Sent: 3, Gaps: 2, Status: map[string]int64{"200": 3}}}}
	if _, _, ca2, _, err := SizeInputs(few); err == nil || ca2 != 1 {
		t.Errorf("3 requests: scv %g err %v (want the label's 1 and no service time)", ca2, err)
	}
}

// TestSizeMechanism: results recorded from HAProxy (a queue timeout) and
// nginx (limit_req) are sized as what they are, with a note; the demo
// fixture (a bounded queue) is sized as a bounded queue, and so is the
// built-in target's adaptive limit, with a note that says what stands for
// what.
func TestSizeMechanism(t *testing.T) {
	for _, tc := range []struct{ file, want, note string }{
		{"../../testdata/shedding/haproxy-queue-timeout.json", "queue-timeout", "the target sheds by queue-timeout (recognised with confidence "},
		{"../../testdata/shedding/nginx-limit-req.json", "rate-limit", "the target sheds by rate-limit (recognised with confidence "},
		{"../../cmd/bploadgen/testdata/analyze_result.json", "", ""},
		{"testdata/aimd-builtin.json", "", "the target sheds by adaptive-limit (recognised with confidence "},
	} {
		r, err := result.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		m, note := SizeMechanism(r, "")
		if m != tc.want || !strings.HasPrefix(note, tc.note) || (tc.note == "") != (note == "") {
			t.Errorf("%s: %q, %q", tc.file, m, note)
		}
		// A mechanism a person chose wins, with no note.
		if m, note := SizeMechanism(r, "bounded-queue"); m != "bounded-queue" || note != "" {
			t.Errorf("%s, given bounded-queue: %q, %q", tc.file, m, note)
		}
	}
	if m, note := SizeMechanism(nil, ""); m != "" || note != "" {
		t.Errorf("no result: %q, %q", m, note)
	}
}
