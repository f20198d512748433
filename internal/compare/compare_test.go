package compare_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/compare"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// spec is a 3-stage step run against a target with ~2ms exponential service.
func spec(seed uint64) mergetest.Spec {
	return mergetest.Spec{
		Start:   time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		URL:     "http://127.0.0.1:8080/",
		Profile: "step",
		Stages: []result.PlanStage{
			{Name: "step 1 @ 200 rps", StartS: 0, DurationS: 6, Rate: 200},
			{Name: "step 2 @ 400 rps", StartS: 6, DurationS: 6, Rate: 400},
			{Name: "step 3 @ 600 rps", StartS: 12, DurationS: 6, Rate: 600},
		},
		Arrival: "poisson",
		Seed:    seed,
		Service: 2 * time.Millisecond,
		Reject:  0.01,
		Timeout: 0.001,
	}
}

func build(t *testing.T, s mergetest.Spec) *result.Result {
	t.Helper()
	rs, _ := mergetest.MustBuild(s)
	return rs[0]
}

func verdicts(rep *compare.Report, section string) map[string]compare.Verdict {
	out := map[string]compare.Verdict{}
	for _, sc := range rep.Sections {
		if sc.Name == section {
			for _, r := range sc.Rows {
				out[r.Metric] = r.Verdict
			}
		}
	}
	return out
}

// The acceptance property: a slower server is flagged, an unchanged one
// passes.
func TestCompareFlagsSlowerServer(t *testing.T) {
	base := build(t, spec(1))
	slow := spec(2)
	slow.Slowdown = 0.5 // every service time 50% longer
	next := build(t, slow)
	rep, err := compare.Options{Diffs: mustDiffs(t, "p99 < +10%", "p50 < +10% in each stage", "ratio(503) < +0.5%")}.Compare(base, next)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != compare.Regression {
		t.Errorf("verdict = %s, want regression", rep.Verdict)
	}
	for _, section := range []string{"stage 1", "stage 2", "stage 3", "run"} {
		v := verdicts(rep, section)
		for _, m := range []string{"p50", "p90", "p99", "mean", "2xx.p99", "service.p99"} {
			if v[m] != compare.Regression {
				t.Errorf("%s %s: %s, want regression", section, m, v[m])
			}
		}
		for _, m := range []string{"ratio(503)", "ratio(errors)", "ratio(not_sent)", "achieved"} {
			if v[m] != compare.NoChange {
				t.Errorf("%s %s: %s, want no significant change (the rejections did not change)", section, m, v[m])
			}
		}
		if v["max"] != compare.NotJudged {
			t.Errorf("%s max: %s, want not judged", section, v["max"])
		}
	}
	if rep.AllPass() {
		t.Error("the assertions passed a 50% slower server")
	}
	want := []bool{false, false, false, false, true} // p99 run; p50 stages 1-3; ratio(503) run
	if len(rep.Checks) != len(want) {
		t.Fatalf("%d checks, want %d", len(rep.Checks), len(want))
	}
	for i, c := range rep.Checks {
		if c.Pass != want[i] {
			t.Errorf("check %d %s in %s: pass = %v (observed %g), want %v", i, c.Expr, c.Scope, c.Pass, c.Observed, want[i])
		}
	}
	if c := rep.Checks[0]; math.Abs(c.Observed-(c.New-c.Base)/c.Base) > 1e-12 || c.Observed < 0.3 {
		t.Errorf("p99 check observed %g, want the relative change (new−base)/base ≈ +50%%", c.Observed)
	}
}

func TestComparePassesUnchangedServer(t *testing.T) {
	// Same server, another seed: only sampling noise differs.
	base := build(t, spec(1))
	for _, seed := range []uint64{2, 3, 4} {
		next := build(t, spec(seed))
		rep, err := compare.Options{Diffs: mustDiffs(t, "p99 < +10%", "p99 < +10% in each stage", "ratio(503) < +0.5%", "rps > -5%")}.Compare(base, next)
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range rep.Sections {
			for _, r := range sc.Rows {
				if r.Verdict == compare.Regression || r.Verdict == compare.Improvement {
					t.Errorf("seed %d %s %s: %s (delta %g, noise %g)", seed, sc.Name, r.Metric, r.Verdict, *r.Delta, r.Noise)
				}
			}
		}
		if rep.Verdict != compare.NoChange || !rep.AllPass() {
			t.Errorf("seed %d: verdict %s, all pass %v; want no significant change and pass", seed, rep.Verdict, rep.AllPass())
		}
	}
}

func TestCompareIdentical(t *testing.T) {
	r := build(t, spec(1))
	rep, err := compare.Compare(r, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range rep.Sections {
		for _, row := range sc.Rows {
			if row.Delta == nil || *row.Delta != 0 {
				t.Errorf("%s %s: delta %v, want 0", sc.Name, row.Metric, row.Delta)
			}
		}
	}
	if rep.Verdict != compare.NoChange || len(rep.Warnings) != 0 {
		t.Errorf("verdict %s warnings %q", rep.Verdict, rep.Warnings)
	}
}

// More rejections are a ratio regression, judged against bursty noise.
func TestCompareFlagsMoreRejections(t *testing.T) {
	worse := spec(2)
	worse.Reject = 0.03
	rep, err := compare.Options{Diffs: mustDiffs(t, "ratio(503) < +0.5%", "ratio(503) < +5%")}.Compare(build(t, spec(1)), build(t, worse))
	if err != nil {
		t.Fatal(err)
	}
	v := verdicts(rep, "run")
	if v["ratio(503)"] != compare.Regression || v["ratio(5xx)"] != compare.Regression {
		t.Errorf("ratio(503) %s, ratio(5xx) %s; want regressions", v["ratio(503)"], v["ratio(5xx)"])
	}
	if v["rps"] != compare.NoChange && v["rps"] != compare.Regression {
		t.Errorf("rps: %s", v["rps"])
	}
	// +2 percentage points: over +0.5pp, under +5pp.
	if rep.Checks[0].Pass || !rep.Checks[1].Pass {
		t.Errorf("checks %+v", rep.Checks)
	}
	if d := rep.Checks[0].Observed; math.Abs(d-0.02) > 0.005 {
		t.Errorf("observed %g, want about +0.02 (percentage points)", d)
	}
}

func TestCompareDifferentPlans(t *testing.T) {
	base := build(t, spec(1))
	other := spec(1)
	other.Stages = other.Stages[:2]
	next := build(t, other)
	rep, err := compare.Compare(base, next)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sections) != 1 || rep.Sections[0].Name != "run" {
		t.Errorf("sections %d, want the run only", len(rep.Sections))
	}
	if len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0], "only the whole runs are compared") {
		t.Errorf("warnings %q", rep.Warnings)
	}
	if _, err := (compare.Options{Diffs: mustDiffs(t, "p99 < +10% in stage 1")}).Compare(base, next); err == nil {
		t.Error("a stage assertion over runs of different stage counts was accepted")
	}

	faster := spec(1)
	faster.Stages[2].Rate = 700
	rep, err = compare.Compare(base, build(t, faster))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sections) != 4 || !strings.Contains(strings.Join(rep.Warnings, "\n"), "plans differ") {
		t.Errorf("sections %d warnings %q; want 4 and a plan warning", len(rep.Sections), rep.Warnings)
	}
}

func TestCompareFromZero(t *testing.T) {
	clean := spec(1)
	clean.Reject, clean.Timeout = 0, 0
	dirty := spec(1)
	rep, err := compare.Options{Diffs: mustDiffs(t, "ratio(503) < +2%", "ratio(503) <= +0pp")}.Compare(build(t, clean), build(t, dirty))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Checks[0].Pass || rep.Checks[1].Pass {
		t.Errorf("0 → 1%% 503s: checks %+v", rep.Checks)
	}
	if v := verdicts(rep, "run"); v["ratio(503)"] != compare.Regression {
		t.Errorf("0 → 1%% 503s: %s, want regression", v["ratio(503)"])
	}

	// A relative bound over a base of 0: the change is infinite.
	down := spec(1)
	down.Reject = 1 // every request answered 503: no 2xx, rps 0
	rep, err = compare.Options{Diffs: mustDiffs(t, "rps > -5%", "rps < +10%")}.Compare(build(t, down), build(t, spec(1)))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		c := rep.Checks[i]
		if c.Pass != want || !strings.Contains(c.Note, "infinite") {
			t.Errorf("%s: pass %v note %q; want %v and an infinite change", c.Expr, c.Pass, c.Note, want)
		}
	}
	if v := verdicts(rep, "run"); v["2xx.p99"] != compare.NoData || v["rps"] != compare.Improvement {
		t.Errorf("2xx.p99 %s rps %s; want no data and improvement", v["2xx.p99"], v["rps"])
	}
}

func mustDiffs(t *testing.T, ss ...string) []compare.Diff {
	t.Helper()
	ds, err := compare.ParseDiffs(ss)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestCompareSentDifferently: runs sent by different clients or protocols,
// or with and without client retries, compare with a warning saying so
// (an https run over HTTP/1.1 against one over HTTP/2 compared silently).
func TestCompareSentDifferently(t *testing.T) {
	base, next := build(t, spec(1)), build(t, spec(1))
	base.Client, base.Protocol = "net/http", "HTTP/1.1"
	next.Client, next.Protocol = "net/http", "HTTP/2.0"
	rep, err := compare.Compare(base, next)
	if err != nil {
		t.Fatal(err)
	}
	want := "the runs were sent differently (net/http over HTTP/1.1 and net/http over HTTP/2.0)"
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), want) {
		t.Errorf("warnings %q, want %q", rep.Warnings, want)
	}
	next.Protocol = "HTTP/1.1"
	next.RetryPolicy = &result.RetryPolicy{On: "503", Max: 3, BackoffMinS: 0.1, BackoffMaxS: 5, After: "honor", AfterMaxS: 30}
	if rep, _ = compare.Compare(base, next); len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "one run's clients retried and the other's did not") {
		t.Errorf("warnings %q, want the retry one alone", rep.Warnings)
	}
	base.RetryPolicy = &result.RetryPolicy{On: "503", Max: 1, BackoffMinS: 0.1, BackoffMaxS: 5, After: "honor", AfterMaxS: 30}
	if rep, _ = compare.Compare(base, next); len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "different policies") {
		t.Errorf("warnings %q, want the policies'", rep.Warnings)
	}
}

// A target that sheds half its load with fast 503s, against one that sheds
// 1%: its p50 over all responses is the 503s' round trip, so fewer 503s
// would read as a slower server. Where the share answered 2xx changed,
// the latencies of all responses are not judged (2xx.p99 still is), and
// the verdict is not a regression.
func TestCompareMixChanged(t *testing.T) {
	shedding := spec(1)
	shedding.Reject = 0.5
	rep, err := compare.Compare(build(t, shedding), build(t, spec(2)))
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range rep.Sections {
		for _, r := range sc.Rows {
			mixed := r.Metric == "p50" || r.Metric == "p90" || r.Metric == "p99" || r.Metric == "mean" || r.Metric == "service.p99"
			if mixed != (r.Note == compare.MixNote) || mixed && r.Verdict != compare.NotJudged {
				t.Errorf("%s %s: verdict %s, note %q", sc.Name, r.Metric, r.Verdict, r.Note)
			}
			if r.Metric == "2xx.p99" && r.Verdict == compare.NotJudged {
				t.Errorf("%s 2xx.p99 not judged", sc.Name)
			}
		}
	}
	if rep.Verdict == compare.Regression {
		t.Errorf("verdict %s", rep.Verdict)
	}
	var txt strings.Builder
	if err := rep.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "not judged there; 2xx.p99 is") {
		t.Errorf("no legend for the rows not judged:\n%s", txt.String())
	}
}
