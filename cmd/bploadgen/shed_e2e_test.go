package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/targets"
)

// TestShedRecognitionEndToEnd is issue #12's acceptance on the built-in
// target: for each policy with known parameters, a real run (the engine,
// loopback, a step profile across the capacity) is analysed with nothing
// given; the analysis must name the mechanism and recover the parameters
// within their intervals, and an exact model (Poisson arrivals,
// exponential service) must not disagree with the observed 503 ratio.
// About 30 s.
func TestShedRecognitionEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the built-in target with five policies for 10 s each")
	}
	// Under the race detector the client reads answers late: the in-flight
	// level at rejection (the K evidence) and the shed latencies it sees are
	// the generator's, not the target's, and on CI's two cores this test
	// failed that way (K 11 ± 2 for a true 8). Recognition stays guarded in
	// CI by the synthetic cases (internal/analysis recognise_test.go), the
	// recorded HAProxy and nginx results (recorded_test.go) and each
	// policy's own tests (internal/targets); this acceptance runs without
	// -race: go test -run TestShedRecognitionEndToEnd ./cmd/bploadgen/
	if raceEnabled {
		t.Skip("an acceptance run that needs an undelayed client: run it without -race")
	}
	exp10 := dist.Dist{Kind: dist.Exponential, Mean: 0.010}
	for _, tc := range []struct {
		name    string
		cfg     targets.Config
		args    []string // the run's profile
		scrape  bool
		mech    string
		check   func(t *testing.T, sh *result.Shedding)
		exactOK bool // the model is exact: its 503 ratios must not disagree
	}{
		{"reject", targets.Config{Workers: 4, Queue: 4, Service: exp10},
			[]string{"--from", "200", "--to", "800", "--arrival", "poisson"}, false, "bounded-queue",
			func(t *testing.T, sh *result.Shedding) {
				within(t, "K", float64(sh.Limit), 8, sh.LimitCI)
				within(t, "c", float64(sh.Workers), 4, sh.WorkersCI)
			}, true},
		{"reject, no queue", targets.Config{Workers: 4, Queue: 0, Service: exp10},
			[]string{"--from", "200", "--to", "800", "--arrival", "poisson"}, false, "concurrency-limit",
			func(t *testing.T, sh *result.Shedding) { within(t, "limit", float64(sh.Limit), 4, sh.LimitCI) }, true},
		{"deadline", targets.Config{Workers: 4, Service: exp10, Policy: targets.Deadline, QueueTimeout: 20 * time.Millisecond},
			[]string{"--from", "200", "--to", "650", "--arrival", "poisson"}, false, "queue-timeout",
			func(t *testing.T, sh *result.Shedding) {
				within(t, "timeout", sh.QueueTimeoutS, 0.020, sh.QueueTimeoutCIS)
				within(t, "c", float64(sh.Workers), 4, sh.WorkersCI)
			}, true},
		{"ratelimit", targets.Config{Workers: 8, Queue: 8, Service: dist.Dist{Kind: dist.Exponential, Mean: 0.005}, Policy: targets.RateLimit, LimitRate: 200, Burst: 10, LimitStatus: 503},
			[]string{"--from", "100", "--to", "400", "--arrival", "uniform"}, false, "rate-limit",
			func(t *testing.T, sh *result.Shedding) {
				within(t, "rate", sh.RateRPS, 200, sh.RateCIRPS)
				if math.Abs(sh.RateRPS/200-1) > 0.05 {
					t.Errorf("rate %.4g, not within 5%% of 200", sh.RateRPS)
				}
			}, false},
		{"aimd", targets.Config{Workers: 4, Queue: 12, Service: exp10, Policy: targets.AIMD},
			[]string{"--from", "200", "--to", "800", "--arrival", "poisson"}, true, "adaptive-limit",
			func(t *testing.T, sh *result.Shedding) {
				if !strings.Contains(strings.Join(sh.Evidence, " "), `policy "aimd"`) {
					t.Errorf("the scraped policy is not in the evidence: %q", sh.Evidence)
				}
			}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Seed = 1
			srv, err := targets.Start(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			out := filepath.Join(t.TempDir(), "result.json")
			args := append([]string{"run", srv.URL() + "/", "--profile", "step", "--steps", "4", "--step-duration", "1500ms", "--seed", "1", "-q", "-o", out}, tc.args...)
			if tc.scrape {
				args = append(args, "--scrape", srv.URL()+"/metrics")
			}
			wm := startWait(t)
			if code, _, errs := execMain(t, context.Background(), args...); code != 0 {
				t.Fatalf("run: exit %d, stderr %q", code, errs)
			}
			r, err := result.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			// A run the generator could not keep to (a machine starved by
			// other work, or the race detector: a send lag p99 beyond the
			// mean service time or 10 ms, which turns the arrivals into
			// bursts no model was given) is no measurement of the target:
			// it skips when the machine starved the generator that long,
			// and fails when the generator was late by its own doing
			// (starvedOr).
			if lag := r.Total.SendLag.P99; lag > math.Max(tc.cfg.Service.Mean, 0.010) {
				starvedOr(t, wm, time.Duration(lag*float64(time.Second)), fmt.Sprintf("the generator fell behind (send lag p99 %.3g s > max(E[S], 10 ms))", lag))
			}
			a, err := analysis.Analyze(r, analysis.ModelSpec{})
			if err != nil {
				t.Fatal(err)
			}
			sh := a.Shedding
			t.Logf("%s: %s (confidence %.3g); %q", tc.name, sh.Mechanism, sh.Confidence, sh.Evidence)
			// A generator behind its schedule below that skip's bound can
			// still bunch the arrivals past every model: the analysis then
			// answers "unknown" and says it cannot tell (the run is
			// generator_limited). That honest answer is accepted when the
			// machine starved the generator (the process waited for a
			// processor at least the send lag p99); a generator late by its
			// own doing, or any other wrong mechanism, fails.
			if sh.Mechanism == "unknown" && r.GeneratorLimited && len(sh.Evidence) > 0 && strings.HasPrefix(sh.Evidence[0], "cannot tell") {
				starvedOr(t, wm, time.Duration(r.Total.SendLag.P99*float64(time.Second)), fmt.Sprintf("mechanism unknown, want %s: %s", tc.mech, sh.Evidence[0]))
			}
			if sh.Mechanism != tc.mech {
				t.Fatalf("mechanism %s, want %s: %+v", sh.Mechanism, tc.mech, sh.Candidates)
			}
			tc.check(t, sh)
			for _, s := range a.Stages {
				if c := s.Agreement; c != nil && c.BlockRatio != nil {
					t.Logf("stage %d 503 ratio predicted %.4f observed %.4f band %.4f: %s", s.Index, c.BlockRatio.Predicted, c.BlockRatio.Observed, c.BlockRatio.Band, c.BlockRatio.Verdict)
					if tc.exactOK && c.BlockRatio.Agree != nil && !*c.BlockRatio.Agree {
						t.Errorf("stage %d: the exact model's 503 ratio disagrees: %+v", s.Index, c.BlockRatio)
					}
				}
			}
		})
	}
}

// within checks that an estimate is within its 95% half-width of the truth.
func within(t *testing.T, name string, got, want, hw float64) {
	t.Helper()
	if math.Abs(got-want) > hw {
		t.Errorf("%s %.4g ± %.3g, true value %.4g outside its interval", name, got, hw, want)
	}
}
