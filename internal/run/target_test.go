package run

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/schedule"
	"github.com/bploadgen/bploadgen/internal/targets"
)

// TestBuiltinTarget runs a short plan against the built-in target on
// 127.0.0.1 and analyses it with the target's known c and K: the service
// time the target measured (Server-Timing) when it sent one, else the
// configured distribution; an unbounded target is modelled unbounded.
func TestBuiltinTarget(t *testing.T) {
	cfg := targets.Config{Workers: 4, Queue: 4, Service: dist.Dist{Kind: dist.Exponential, Mean: 0.005}, Seed: 1}
	srv, err := targets.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	pl := NewPlan(profile.RequestSpec{URL: srv.URL() + "/"},
		profile.Stage{Name: "low", Rate: 100, To: 100, Duration: time.Second},
		profile.Stage{Name: "high", Rate: 400, To: 400, Duration: time.Second})
	pl.Arrival = schedule.Poisson
	r, err := Execute(context.Background(), pl, Options{Analyze: BuiltinTarget(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Analysis
	if a == nil || a.Model.Source != analysis.SourceServerTiming || a.Model.Workers != 4 || a.Model.SystemCapacity != 8 ||
		!strings.Contains(a.Model.Notes, "exp:5ms") || !strings.Contains(a.Model.Notes, "nominal") {
		t.Fatalf("analysis %+v (warnings %q)", a, r.Warnings)
	}
	for i := range r.Stages {
		r.Stages[i].ServerTiming = nil
	}
	a, err = BuiltinTarget(cfg)(r)
	if err != nil || a.Model.Source != analysis.SourceGiven || a.Model.ServiceMeanS != cfg.Service.Mean || a.Model.ServiceSCV != 1 ||
		!strings.Contains(a.Model.Notes, "no Server-Timing") {
		t.Fatalf("without Server-Timing: %+v, %v", a, err)
	}
	cfg.Policy = targets.Unbounded
	if a, err = BuiltinTarget(cfg)(r); err != nil || a.Model.QueueSource != "unbounded" {
		t.Fatalf("unbounded target: %+v, %v", a, err)
	}
}
