package run

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

func mustProfile(t *testing.T, yaml string) *profile.Profile {
	t.Helper()
	p, err := profile.Parse("p.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const stepProfile = `target:
  url: http://127.0.0.1:8080/
  headers: {X-A: file, X-B: file}
  timeout: 5s
arrival: poisson
seed: 9
max_in_flight: 50
profile: {kind: step, from: 20, to: 60, steps: 3, step_duration: 10s}
assert: ["ratio(errors) < 1%"]
`

// given is an Overrides.Given that reports exactly the named settings.
func given(names ...string) func(string) bool {
	return func(s string) bool {
		for _, n := range names {
			if n == s {
				return true
			}
		}
		return false
	}
}

// TestResolvePrecedence: a setting given overrides the profile, the
// profile overrides the default, and a shape parameter given keeps the
// profile's shape.
func TestResolvePrecedence(t *testing.T) {
	prof := mustProfile(t, stepProfile)
	t.Run("profile alone", func(t *testing.T) {
		pl, err := Resolve(prof, Overrides{})
		if err != nil {
			t.Fatal(err)
		}
		if pl.Arrival != schedule.Poisson || pl.Seed != 9 || pl.MaxInFlight != 50 || pl.Timeout != 5*time.Second ||
			pl.Kind != "step" || len(pl.Stages) != 3 || pl.Stages[0].Duration != 10*time.Second || len(pl.Asserts) != 1 ||
			pl.Request.Method != DefaultMethod {
			t.Errorf("plan %+v", pl)
		}
	})
	t.Run("overrides given", func(t *testing.T) {
		pl, err := Resolve(prof, Overrides{
			URL: "http://127.0.0.1:9/x", Method: "post", Headers: []string{"X-B: flag"}, Body: "hi",
			Shape:   profile.Shape{Set: map[string]bool{"step_duration": true}, StepDuration: time.Second},
			Arrival: "uniform", Seed: 0, MaxInFlight: 7, Timeout: time.Second, Asserts: []string{"p99 < 1s"},
			Shard: "1/2",
			Given: given("url", "method", "body", "arrival", "seed", "max_in_flight", "timeout"),
		})
		if err != nil {
			t.Fatal(err)
		}
		r := pl.Request
		if r.URL != "http://127.0.0.1:9/x" || r.Method != "POST" || string(r.Body) != "hi" || len(r.Headers) != 2 ||
			r.Headers[0] != (profile.Header{Name: "X-A", Value: "file"}) || r.Headers[1] != (profile.Header{Name: "X-B", Value: "flag"}) {
			t.Errorf("request %+v", r)
		}
		if pl.Arrival != schedule.Uniform || pl.Seed != 0 || pl.MaxInFlight != 7 || pl.Timeout != time.Second ||
			pl.Kind != "step" || len(pl.Stages) != 3 || pl.Stages[2].Duration != time.Second || pl.Stages[2].Rate != 60 ||
			len(pl.Asserts) != 2 || pl.Shard.Count != 2 {
			t.Errorf("plan %+v", pl)
		}
	})
	t.Run("shape parameters by Given", func(t *testing.T) {
		// A nil Set: the shape parameters Given reports override, the rest
		// (Rate here) do not.
		for _, tc := range []struct {
			given []string
			last  time.Duration
		}{{nil, 10 * time.Second}, {[]string{"step_duration"}, time.Second}} {
			pl, err := Resolve(prof, Overrides{Shape: profile.Shape{Rate: 99, StepDuration: time.Second}, Given: given(tc.given...)})
			if err != nil {
				t.Fatal(err)
			}
			if pl.Kind != "step" || len(pl.Stages) != 3 || pl.Stages[2].Duration != tc.last || pl.Stages[0].Rate == 99 {
				t.Errorf("given %q: plan %+v", tc.given, pl)
			}
		}
	})
	t.Run("defaults", func(t *testing.T) {
		pl, err := Resolve(nil, Overrides{URL: "http://127.0.0.1:9/", Shape: profile.Shape{Kind: "constant",
			Set: map[string]bool{"rate": true, "duration": true}, Rate: 5, Duration: time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		want := NewPlan(pl.Request, pl.Stages...)
		if pl.Arrival != want.Arrival || pl.Seed != want.Seed || pl.MaxInFlight != want.MaxInFlight ||
			pl.Timeout != want.Timeout || pl.Request.Method != want.Request.Method || pl.Kind != "constant" {
			t.Errorf("plan %+v, want the defaults of %+v", pl, want)
		}
	})
}

// TestResolveBodyFile: a body file is read, and a body given replaces it.
func TestResolveBodyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(path, []byte("from file"), 0o644); err != nil {
		t.Fatal(err)
	}
	shape := profile.Shape{Kind: "constant", Set: map[string]bool{"rate": true, "duration": true}, Rate: 1, Duration: time.Second}
	pl, err := Resolve(nil, Overrides{URL: "http://127.0.0.1:9/", BodyFile: path, Shape: shape})
	if err != nil || string(pl.Request.Body) != "from file" {
		t.Fatalf("body %q, %v", pl.Request.Body, err)
	}
	_, err = Resolve(nil, Overrides{URL: "http://127.0.0.1:9/", Body: "a", BodyFile: path, Shape: shape})
	if err == nil || !strings.Contains(err.Error(), "body and body_file") {
		t.Errorf("body and body file: %v", err)
	}
}

// TestResolveErrors: every error is an *InputError that names the setting
// in the caller's words: profile keys by default, flags with Name.
func TestResolveErrors(t *testing.T) {
	flag := func(s string) string { return "--" + strings.ReplaceAll(s, "_", "-") }
	url := "http://127.0.0.1:9/"
	rate := func(r float64) profile.Shape {
		return profile.Shape{Kind: "constant", Set: map[string]bool{"rate": true, "duration": true}, Rate: r, Duration: time.Second}
	}
	for _, tt := range []struct {
		name     string
		prof     string
		o        Overrides
		key, flg string // the message with the default names, and with flag names
		sentinel error
	}{
		{"no url", "", Overrides{Shape: rate(1)}, "no target URL", "no target URL", ErrNoTarget},
		{"no stages", "", Overrides{URL: url}, "no stages", "no stages", ErrNoStages},
		{"zero rate", "", Overrides{URL: url, Shape: rate(0)}, "rate must be > 0", "--rate must be > 0", nil},
		{"kind", "", Overrides{URL: url, Shape: profile.Shape{Kind: "wave"}}, `profile must be constant, step, spike or ramp, not "wave"`, `--profile must be`, nil},
		{"foreign parameter", "", Overrides{URL: url, Shape: profile.Shape{Kind: "step", Set: map[string]bool{"rate": true}}},
			"rate does not apply to a step shape (it takes from, to, steps, step_duration; a constant or spike shape takes it: kind: constant or spike)",
			"--rate does not apply to a step shape (it takes --from, --to, --steps, --step-duration; a constant or spike shape takes it: --profile constant or spike)", nil},
		{"arrival", "", Overrides{URL: url, Shape: rate(1), Arrival: "bursty"}, "arrival: ", "--arrival: ", nil},
		{"in flight", "", Overrides{URL: url, Shape: rate(1), MaxInFlight: -1}, "max_in_flight must be between 1 and 10000000", "--max-in-flight must be", nil},
		{"timeout", "", Overrides{URL: url, Shape: rate(1), Timeout: -1}, "timeout must be > 0 and at most 1h", "--timeout must be", nil},
		{"header", "", Overrides{URL: url, Shape: rate(1), Headers: []string{"NoColon"}}, "header: ", "--header: ", nil},
		{"method", "", Overrides{URL: url, Shape: rate(1), Method: "G T"}, "method: ", "--method: ", nil},
		{"assert", "", Overrides{URL: url, Shape: rate(1), Asserts: []string{"p99 <"}}, `assert: assert "p99 <"`, `--assert: assert "p99 <"`, nil},
		{"assert on a missing stage", "", Overrides{URL: url, Shape: rate(1), Asserts: []string{"p99 < 1s in stage 2"}}, "stage 2 does not exist", "stage 2 does not exist", nil},
		{"profile's assert", "target: {url: 'http://127.0.0.1:9/'}\nstages: [{rate: 1, duration: 1s}]\nassert:\n  - p99 < 250\n", Overrides{},
			`p.yaml:4: assert "p99 < 250"`, `p.yaml:4: assert "p99 < 250"`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var prof *profile.Profile
			if tt.prof != "" {
				prof = mustProfile(t, tt.prof)
			}
			for _, c := range []struct {
				name func(string) string
				want string
			}{{nil, tt.key}, {flag, tt.flg}} {
				o := tt.o
				o.Name = c.name
				_, err := Resolve(prof, o)
				var ie *InputError
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %q (%T), want an *InputError containing %q", err, err, c.want)
				}
				if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
					t.Errorf("error %q is not %v", err, tt.sentinel)
				}
			}
		})
	}
}

func TestParseShard(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "JOB_COMPLETION_INDEX" {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		in, idx string
		want    schedule.Shard
		bad     bool
	}{
		{"", "", schedule.Shard{}, false},
		{"2/4", "", schedule.Shard{Index: 2, Count: 4}, false},
		{" 1 / 1 ", "", schedule.Shard{Index: 1, Count: 1}, false},
		{"auto/4", "0", schedule.Shard{Index: 1, Count: 4}, false}, // Indexed Jobs count from 0
		{"auto/4", "3", schedule.Shard{Index: 4, Count: 4}, false},
		{"auto/4", "4", schedule.Shard{}, true},
		{"auto/4", "", schedule.Shard{}, true},
		{"0/4", "", schedule.Shard{}, true},
		{"5/4", "", schedule.Shard{}, true},
		{"2", "", schedule.Shard{}, true},
		{"a/b", "", schedule.Shard{}, true},
	}
	for _, tt := range tests {
		got, err := (&Overrides{Shard: tt.in, Getenv: env(tt.idx)}).shard()
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("shard %q, JOB_COMPLETION_INDEX=%q: = %+v, %v", tt.in, tt.idx, got, err)
		}
	}
}

func TestParseStartAt(t *testing.T) {
	want := time.Date(2026, 11, 23, 10, 0, 0, 500_000_000, time.UTC)
	for _, in := range []string{"2026-11-23T10:00:00.5Z", "1795428000.5"} {
		got, err := (&Overrides{StartAt: in}).startAt()
		if err != nil || !got.Equal(want) {
			t.Errorf("start at %q: = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"tomorrow", "-5", "1e20"} {
		if _, err := (&Overrides{StartAt: bad}).startAt(); err == nil {
			t.Errorf("start at %q: accepted", bad)
		}
	}
	if got, err := (&Overrides{}).startAt(); err != nil || !got.IsZero() {
		t.Errorf("empty: %v %v", got, err)
	}
}
