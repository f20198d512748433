package run

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// loopback starts a server on 127.0.0.1 that answers 200 and counts the
// requests it receives.
func loopback(t *testing.T) (url string, n *atomic.Int64) {
	t.Helper()
	n = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/", n
}

func mustAsserts(t *testing.T, ss ...string) []assert.Expr {
	t.Helper()
	es, err := assert.ParseAll(ss)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestExecuteWholeRun drives a two-stage plan built in code against a
// loopback server, without the command: every scheduled request reaches the
// server, the result carries the plan and the tool, and the gates are
// evaluated (one holds, one cannot).
func TestExecuteWholeRun(t *testing.T) {
	url, served := loopback(t)
	pl := NewPlan(profile.RequestSpec{URL: url},
		profile.Stage{Name: "a", Rate: 50, To: 50, Duration: 400 * time.Millisecond},
		profile.Stage{Name: "b", Rate: 100, To: 100, Duration: 400 * time.Millisecond})
	pl.Asserts = mustAsserts(t, "ratio(errors) < 1%", "p99 < 1ns in each stage")
	var ticks, finals atomic.Int64
	tool := result.Tool{Name: "test", Version: "v0"}
	r, err := Execute(context.Background(), pl, Options{Tool: tool, Analyze: NoAnalysis,
		Progress: func(_ Progress, final bool) {
			if final {
				finals.Add(1)
			} else {
				ticks.Add(1)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	// Uniform arrivals sit at whole positions of Λ(t) = ∫λ, so a stage
	// whose rate × duration is a whole number schedules exactly that many.
	var want int64
	for i, s := range pl.Stages {
		n := int64(s.Rate * s.Duration.Seconds())
		want += n
		if got := r.Stages[i].Scheduled; got != n || r.Stages[i].Name != s.Name {
			t.Errorf("stage %d %q: scheduled %d, want %d", i+1, r.Stages[i].Name, got, n)
		}
	}
	if r.Total.Scheduled != want || r.Total.Status["200"] != want || served.Load() != want {
		t.Errorf("scheduled %d, 200s %d, served %d; want %d each", r.Total.Scheduled, r.Total.Status["200"], served.Load(), want)
	}
	if r.Tool != tool || r.Plan.Profile != "stages" || len(r.Plan.Stages) != 2 || r.Target.Method != "GET" || r.Analysis != nil {
		t.Errorf("tool %+v plan %+v method %q analysis %v", r.Tool, r.Plan, r.Target.Method, r.Analysis)
	}
	// 1 run part + 2 stage parts; p99 < 1ns cannot hold for a real response.
	if len(r.Assertions) != 3 || !r.Assertions[0].Pass || r.Assertions[1].Pass || r.Assertions[2].Pass {
		t.Errorf("assertions %+v", r.Assertions)
	}
	if finals.Load() != 1 {
		t.Errorf("progress: %d final calls, want 1", finals.Load())
	}
}

// TestExecuteAnalysis: Options.Analyze sees the recorded result and its
// analysis is stored; its error becomes a warning, never a failed run.
func TestExecuteAnalysis(t *testing.T) {
	url, _ := loopback(t)
	pl := NewPlan(profile.RequestSpec{URL: url}, profile.Stage{Name: "a", Rate: 40, To: 40, Duration: 250 * time.Millisecond})
	want := &result.Analysis{}
	r, err := Execute(context.Background(), pl, Options{Analyze: func(r *result.Result) (*result.Analysis, error) {
		if r.Total.Scheduled == 0 {
			t.Error("analysis called before the recording")
		}
		return want, nil
	}})
	if err != nil || r.Analysis != want {
		t.Fatalf("analysis %p, want %p (err %v)", r.Analysis, want, err)
	}
	r, err = Execute(context.Background(), pl, Options{Analyze: func(*result.Result) (*result.Analysis, error) {
		return nil, errors.New("no model")
	}})
	if err != nil || r.Analysis != nil || !contains(r.Warnings, "capacity analysis: no model") {
		t.Errorf("err %v analysis %v warnings %q", err, r.Analysis, r.Warnings)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestExecuteInterrupted: cancelling the context stops the run; the
// partial result comes back without an error and conserves requests.
func TestExecuteInterrupted(t *testing.T) {
	url, _ := loopback(t)
	pl := NewPlan(profile.RequestSpec{URL: url}, profile.Stage{Name: "long", Rate: 100, To: 100, Duration: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := Execute(ctx, pl, Options{Analyze: NoAnalysis, Grace: 100 * time.Millisecond,
		Progress: func(p Progress, _ bool) {
			if p.Done > 0 {
				cancel() // stop once the first request has completed
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	tot := r.Total
	if !r.Interrupted || tot.Scheduled == 0 || tot.Scheduled != tot.Sent+tot.NotSent || tot.Scheduled >= int64(pl.Stages[0].Rate*60) {
		t.Errorf("interrupted %v scheduled %d sent %d not sent %d", r.Interrupted, tot.Scheduled, tot.Sent, tot.NotSent)
	}
}

// TestExecuteRefusesInvalidInput: a bad plan or option is an *InputError
// and nothing is sent.
func TestExecuteRefusesInvalidInput(t *testing.T) {
	url, served := loopback(t)
	good := func() *Plan {
		return NewPlan(profile.RequestSpec{URL: url}, profile.Stage{Name: "a", Rate: 10, To: 10, Duration: time.Second})
	}
	for _, tt := range []struct {
		name string
		edit func(*Plan, *Options)
		want string
	}{
		{"no url", func(p *Plan, _ *Options) { p.Request.URL = "" }, ErrNoTarget.Error()},
		{"bad scheme", func(p *Plan, _ *Options) { p.Request.URL = "ftp://127.0.0.1/" }, "http or https"},
		{"bad method", func(p *Plan, _ *Options) { p.Request.Method = "G T" }, "method: "},
		{"no stages", func(p *Plan, _ *Options) { p.Stages = nil }, ErrNoStages.Error()},
		{"zero rate", func(p *Plan, _ *Options) { p.Stages[0].Rate = 0 }, "rate must be > 0"},
		{"in flight", func(p *Plan, _ *Options) { p.MaxInFlight = 0 }, "max_in_flight must be between 1"},
		{"timeout", func(p *Plan, _ *Options) { p.Timeout = 2 * time.Hour }, "timeout must be > 0"},
		{"shard", func(p *Plan, _ *Options) { p.Shard = schedule.Shard{Index: 3, Count: 2} }, "shard 3/2"},
		{"gate on a missing stage", func(p *Plan, _ *Options) { p.Asserts = mustAsserts(t, "p99 < 1s in stage 2") }, "stage 2 does not exist"},
		{"grace", func(_ *Plan, o *Options) { o.Grace = -time.Second }, "grace must be > 0"},
		{"scrape", func(_ *Plan, o *Options) { o.Scrape = "ftp://127.0.0.1/metrics" }, "scrape: "},
		{"loops", func(_ *Plan, o *Options) { o.Loops = -1 }, "loops must be >= 0"},
		{"linger without endpoint", func(_ *Plan, o *Options) { o.MetricsLinger = time.Second }, "metrics_linger needs metrics_listen"},
		{"client", func(_ *Plan, o *Options) { o.Client = "carrier-pigeon" }, "unknown client"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, o := good(), Options{Analyze: NoAnalysis}
			tt.edit(p, &o)
			_, err := Execute(context.Background(), p, o)
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v (%T), want an *InputError containing %q", err, err, tt.want)
			}
		})
	}
	if served.Load() != 0 {
		t.Errorf("the server received %d requests from invalid plans", served.Load())
	}
}

// TestExecuteUnresolvableHost: a host that does not resolve stops the run
// before sending, with an error that is not invalid input.
func TestExecuteUnresolvableHost(t *testing.T) {
	pl := NewPlan(profile.RequestSpec{URL: "http://no-such-host.invalid/"}, profile.Stage{Name: "a", Rate: 1, To: 1, Duration: time.Second})
	lookup := func(_ context.Context, host string) ([]string, error) {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	_, err := Execute(context.Background(), pl, Options{LookupHost: lookup})
	var ie *InputError
	if err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), `cannot resolve the target's host "no-such-host.invalid"`) {
		t.Errorf("error %v", err)
	}
}
