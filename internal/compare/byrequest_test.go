package compare

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

func mixRun(t *testing.T, seed uint64, checkoutSlow float64) *result.Result {
	t.Helper()
	spec := mergetest.Spec{
		Start: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), URL: "http://127.0.0.1:8080/", Profile: "constant",
		Stages:  []result.PlanStage{{Name: "constant @ 400 rps", StartS: 0, DurationS: 10, Rate: 400}},
		Arrival: "poisson", Seed: seed, Service: 2 * time.Millisecond,
		Mix: []mergetest.MixEntry{{Name: "home", Weight: 8}, {Name: "checkout", Weight: 2, Slow: checkoutSlow}},
	}
	rs, _ := mergetest.MustBuild(spec)
	return rs[0]
}

// TestCompareByRequest: a request that became slower shows as a
// regression in its own section, the unchanged one does not, and the
// report's verdict stays the stages' and the run's.
func TestCompareByRequest(t *testing.T) {
	base, next := mixRun(t, 1, 3), mixRun(t, 2, 12)
	rep, err := Compare(base, next)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Requests) != 2 || rep.Requests[0].Request != "home" || rep.Requests[1].Request != "checkout" {
		t.Fatalf("request sections %+v", rep.Requests)
	}
	verdict := func(sc Section, metric string) Verdict {
		for _, r := range sc.Rows {
			if r.Metric == metric {
				return r.Verdict
			}
		}
		return ""
	}
	if v := verdict(rep.Requests[1], "p50"); v != Regression {
		t.Errorf("checkout p50: %s, want regression", v)
	}
	if v := verdict(rep.Requests[0], "p50"); v == Regression {
		t.Errorf("home p50: %s", v)
	}
	var txt, md bytes.Buffer
	if err := rep.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "request checkout") || !strings.Contains(md.String(), "request checkout") {
		t.Errorf("no request section:\n%s", txt.String())
	}
	base.Total.ByRequest = nil
	if rep, _ := Compare(base, next); len(rep.Requests) != 0 {
		t.Error("request sections without a breakdown on one side")
	}
}
