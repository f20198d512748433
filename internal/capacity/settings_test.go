package capacity

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/run"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// searchPlan is a plan with one SLO, as Plan resolves it.
func searchPlan(t *testing.T) *run.Plan {
	pl := run.NewPlan(profile.RequestSpec{URL: "http://127.0.0.1:1/"}, profile.Stage{Rate: 1, To: 1, Duration: time.Second})
	pl.Asserts, pl.Arrival, pl.Timeout = mustParse(t, "p99 < 100ms"), schedule.Poisson, 2*time.Second
	return pl
}

func TestSettingsConfig(t *testing.T) {
	t.Parallel()
	pl := searchPlan(t)
	s := Settings{Max: 5000, Budget: 3 * time.Minute, Precision: "5%", Require: 800, Overload: "2,4", RequireBackpressure: true,
		RejectCounters: []string{"shed_total"}, Scraped: true, Given: func(v string) bool { return v == "max" }}
	cfg, err := s.Config(pl)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Min != DefaultMin(pl.Asserts, s.Budget, 5000) || cfg.Max != 5000 || cfg.Budget != s.Budget || cfg.Precision != 0.05 ||
		cfg.Require != 800 || !slices.Equal(cfg.Overload, []float64{2, 4}) || cfg.Timeout != 2*time.Second || cfg.Arrival != "poisson" ||
		!slices.Equal(cfg.RejectCounters, s.RejectCounters) || cfg.Forecast == nil || len(cfg.SLOs) != 1 {
		t.Errorf("config %+v", cfg)
	}
	s.Min, s.Given = 50, func(string) bool { return true }
	if cfg, err = s.Config(pl); err != nil || cfg.Min != 50 {
		t.Errorf("min given: %v, %v", cfg.Min, err)
	}
}

func TestSettingsErrors(t *testing.T) {
	t.Parallel()
	flag := func(v string) string { return "--" + strings.ReplaceAll(v, "_", "-") }
	for _, tc := range []struct {
		change func(*Settings)
		want   string
	}{
		{func(s *Settings) { s.RejectCounters = []string{"x"} }, "--reject-metric needs --scrape"},
		{func(s *Settings) { s.Precision = "lots" }, "--precision: "},
		{func(s *Settings) { s.Overload = "1,2" }, `--overload "1,2": 1 must be above 1`},
		{func(s *Settings) { s.Overload, s.RequireBackpressure = "none", true }, "--require-backpressure needs overload probes: drop --overload none"},
		{func(s *Settings) { s.Require = -1 }, "--require must be > 0"},
		{func(s *Settings) { s.Min = 0 }, "--min must be > 0"},
		{func(s *Settings) { s.Max = -1 }, "--max must be > 0"},
		{func(s *Settings) { s.Max = 1e12 }, "--min and --max must be at most"},
		{func(s *Settings) { s.Min, s.Max = 500, 400 }, "--min 500 is above --max 400"},
		{func(s *Settings) { s.Budget = 0 }, "--budget must be > 0"},
		{func(s *Settings) { s.Model = analysis.ModelInput{Workers: -1} }, "workers must be ≥ 1"},
		{func(s *Settings) { s.Budget = 2 * time.Second }, "budget 2s is shorter than one probe"}, // Validate
		{func(s *Settings) { s.Name = nil; s.Min = 0 }, "min must be > 0"},
	} {
		s := Settings{Min: 10, Max: 5000, Budget: 5 * time.Minute, Precision: "5%", Overload: "1.5,2,3", Name: flag, Given: func(string) bool { return true }}
		tc.change(&s)
		if _, err := s.Config(searchPlan(t)); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(path, []byte("target: {url: http://127.0.0.1:1/}\narrival: poisson\nseed: 9\nassert:\n  - p99 < 200ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prof, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Plan(prof, run.Overrides{Asserts: []string{"mean < 50ms"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Asserts) != 2 || pl.Asserts[1].Raw != "mean < 50ms" || pl.Seed != 9 || pl.Arrival != schedule.Poisson {
		t.Errorf("plan %+v", pl)
	}
	staged := filepath.Join(dir, "staged.yaml")
	if err := os.WriteFile(staged, []byte("target: {url: http://127.0.0.1:1/}\nstages:\n  - {rate: 10, duration: 1s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if prof, err = profile.Load(staged); err != nil {
		t.Fatal(err)
	}
	var ie *run.InputError
	if _, err := Plan(prof, run.Overrides{}); !errors.As(err, &ie) || !strings.Contains(err.Error(), "staged.yaml:2: capacity chooses the rates itself") {
		t.Errorf("a profile with stages: %v", err)
	}
	// A scope is refused as a scope, not as a stage the placeholder plan
	// lacks ("stage 2 does not exist").
	for _, slo := range []string{"p99 < 50ms in stage2", "p99 < 50ms in stage1", "ratio(503) < 1% in each 1s"} {
		ov := run.Overrides{URL: "http://127.0.0.1:1/", Asserts: []string{slo}}
		if _, err := Plan(nil, ov); !errors.As(err, &ie) || !strings.Contains(err.Error(), "judged on each probe as a whole") {
			t.Errorf("SLO %q: %v", slo, err)
		}
	}
	if _, err := Plan(nil, run.Overrides{}); !errors.Is(err, run.ErrNoTarget) {
		t.Errorf("no target: %v", err)
	}
}

// TestGateFailed: a search fails its gates with no capacity, below
// --require, or, when the backpressure is required, without a verdict of
// holds.
func TestGateFailed(t *testing.T) {
	t.Parallel()
	met, unmet := true, false
	holds := &result.Backpressure{Verdict: result.BackpressureHolds}
	other := &result.Backpressure{Verdict: "fails"}
	for _, tc := range []struct {
		doc    result.Capacity
		needBP bool
		fail   bool
	}{
		{result.Capacity{CapacityRPS: 800}, false, false},
		{result.Capacity{}, false, true},
		{result.Capacity{CapacityRPS: 800, RequireMet: &met}, false, false},
		{result.Capacity{CapacityRPS: 800, RequireMet: &unmet}, false, true},
		{result.Capacity{CapacityRPS: 800, Backpressure: other}, false, false},
		{result.Capacity{CapacityRPS: 800, Backpressure: other}, true, true},
		{result.Capacity{CapacityRPS: 800}, true, true},
		{result.Capacity{CapacityRPS: 800, Backpressure: holds}, true, false},
	} {
		s := Settings{RequireBackpressure: tc.needBP}
		if got := s.GateFailed(&tc.doc); got != tc.fail {
			t.Errorf("%+v, require backpressure %v: failed %v, want %v", tc.doc, tc.needBP, got, tc.fail)
		}
	}
}
