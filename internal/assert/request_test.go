package assert

import (
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

func TestParseRequestScope(t *testing.T) {
	tests := []struct {
		in      string
		request string
		scope   Scope
		canon   string
	}{
		{"p99 < 100ms for checkout", "checkout", Scope{Kind: Run, Request: "checkout"}, "p99 < 100ms for checkout"},
		{`p99<100ms for "GET /search"`, "GET /search", Scope{Kind: Run, Request: "GET /search"}, `p99 < 100ms for "GET /search"`},
		{"p99 < 100ms for checkout in each stage", "checkout", Scope{Kind: EachStage, Request: "checkout"}, "p99 < 100ms for checkout in each stage"},
		{"p99 < 100ms in stage 2 for checkout", "checkout", Scope{Kind: Stage, Stage: 2, Request: "checkout"}, "p99 < 100ms for checkout in stage 2"},
		{`ratio(5xx) < 1% FOR "POST /a b" in run`, "POST /a b", Scope{Kind: Run, Request: "POST /a b"}, `ratio(5xx) < 1% for "POST /a b"`},
		{"rps > 10 for in-stock", "in-stock", Scope{Kind: Run, Request: "in-stock"}, "rps > 10 for in-stock"},
		{"p99 < 1s for format", "format", Scope{Kind: Run, Request: "format"}, "p99 < 1s for format"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if e.Scope != tt.scope || e.String() != tt.canon {
			t.Errorf("Parse(%q) = scope %+v, %q; want %+v, %q", tt.in, e.Scope, e.String(), tt.scope, tt.canon)
		}
		again, err := Parse(e.String())
		if err != nil || again.Scope != e.Scope {
			t.Errorf("round trip of %q: %+v %v", e.String(), again.Scope, err)
		}
	}
}

func TestParseRequestScopeErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"p99 < 1s for", `missing request name after "for"`},
		{"p99 < 1s for in stage 2", `missing request name after "for"`},
		{`p99 < 1s for "GET /x`, "has no closing quote"},
		{`p99 < 1s for ""`, "the request name is empty"},
		{"p99 < 1s for a for b", "two request scopes (a and b): give one"},
		{"p99 < 1s for checkout in each 10s", "for checkout in each 10s: a request has no per-window histograms; use in each stage, in stage N or in run"},
		{"p99 < 1s for a b", `unexpected "b" after the value`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
	if _, err := Scan("p99 < +10% for a", Form{Value: "±VALUE", NoRequests: "no requests here"}); err == nil || !strings.Contains(err.Error(), "for a: no requests here") {
		t.Errorf("NoRequests: %v", err)
	}
}

func TestValidateRequests(t *testing.T) {
	exprs, _ := ParseAll([]string{"p99 < 1s", `p99 < 1s for "GET /x"`, "p99 < 1s for chekout"})
	err := ValidateRequests(exprs, []string{"home", "GET /x", "checkout"})
	if err == nil || err.Error() != `assert "p99 < 1s for chekout": no request named chekout; the names are home, "GET /x", checkout` {
		t.Errorf("ValidateRequests = %v", err)
	}
	if err := ValidateRequests(exprs[:2], []string{"GET /x"}); err != nil {
		t.Error(err)
	}
	if err := ValidateRequests(exprs[1:2], nil); err == nil || !strings.Contains(err.Error(), "sends one request") {
		t.Errorf("no names: %v", err)
	}
}

// mixResult is a synthetic 2-stage run of three requests; checkout is ten
// times slower than home.
func mixResult(t *testing.T) *result.Result {
	spec := mergetest.Spec{
		Start: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), URL: "http://127.0.0.1:8080/", Profile: "stages",
		Stages: []result.PlanStage{
			{Name: "one", StartS: 0, DurationS: 3, Rate: 200},
			{Name: "two", StartS: 3, DurationS: 3, Rate: 400},
		},
		Arrival: "uniform", Seed: 3, Service: 2 * time.Millisecond, Reject: 0.01,
		Mix: []mergetest.MixEntry{{Name: "home", Weight: 7}, {Name: "GET /search", Weight: 2, Slow: 3}, {Name: "checkout", Weight: 1, Slow: 10}},
	}
	rs, _ := mergetest.MustBuild(spec)
	return rs[0]
}

func TestEvaluateRequestScope(t *testing.T) {
	r := mixResult(t)
	home, checkout := r.Total.ByRequest["home"], r.Total.ByRequest["checkout"]
	// A threshold between the two requests' p99 passes for one, fails for
	// the other: the gate reads the request's own histogram.
	mid := (home.Latency.P99 + checkout.Latency.P99) / 2
	thr := time.Duration(mid * 1e9).Round(time.Microsecond).String()
	exprs, err := ParseAll([]string{
		"p99 < " + thr + " for home",
		"p99 < " + thr + " for checkout",
		`p99 < 1h for "GET /search" in each stage`,
		"p99 < 1h for nope",
		"p99 < 1h for checkout in stage 2",
	})
	if err != nil {
		t.Fatal(err)
	}
	as, err := Evaluate(r, exprs)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 6 {
		t.Fatalf("%d assertions: %+v", len(as), as)
	}
	if !as[0].Pass || as[0].Request != "home" || as[0].Scope != "run" || as[0].Observed != home.Latency.P99 {
		t.Errorf("home: %+v (p99 %g)", as[0], home.Latency.P99)
	}
	if as[1].Pass || as[1].Observed != checkout.Latency.P99 {
		t.Errorf("checkout: %+v (p99 %g)", as[1], checkout.Latency.P99)
	}
	if as[2].Scope != "stage 1" || as[3].Scope != "stage 2" || !as[2].Pass || as[2].Request != "GET /search" ||
		as[3].Observed != r.Stages[1].ByRequest["GET /search"].Latency.P99 {
		t.Errorf("each stage: %+v %+v", as[2], as[3])
	}
	if as[4].Pass || !strings.HasPrefix(as[4].Note, `no request nope in the result (it has home, "GET /search", checkout`) {
		t.Errorf("unknown: %+v", as[4])
	}
	if !as[5].Pass || as[5].Scope != "stage 2" {
		t.Errorf("stage 2: %+v", as[5])
	}
	// Check, as a capacity search reads a stage.
	a, err := exprs[1].Check(&r.Stages[1])
	if err != nil || a.Observed != r.Stages[1].ByRequest["checkout"].Latency.P99 || a.Request != "checkout" {
		t.Errorf("Check = %+v %v", a, err)
	}
	// A result without a breakdown fails the gate with a note.
	r.Total.ByRequest = nil
	as, _ = Evaluate(r, exprs[:1])
	if as[0].Pass || as[0].Note != noteNoBreakdown {
		t.Errorf("no breakdown: %+v", as[0])
	}
	r.Stages[0].ByRequest = nil
	if a, _ := exprs[0].Check(&r.Stages[0]); a.Pass || a.Note != noteNoBreakdown {
		t.Errorf("Check without breakdown: %+v", a)
	}
}
