package profile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadTestdataProfiles(t *testing.T) {
	files, err := filepath.Glob("../../testdata/profiles/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no profiles: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			p, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := ValidateStages(p.Stages); err != nil {
				t.Fatal(err)
			}
			if p.Request.URL == "" {
				t.Fatal("no url")
			}
		})
	}
}

func TestSpecExample(t *testing.T) {
	p, err := Load("../../testdata/profiles/spec-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Request.Method != "POST" || string(p.Request.Body) != `{"n": 1}` || p.Request.Timeout != 5*time.Second {
		t.Errorf("request = %+v", p.Request)
	}
	if len(p.Request.Headers) != 1 || p.Request.Headers[0] != (Header{"Content-Type", "application/json"}) {
		t.Errorf("headers = %+v", p.Request.Headers)
	}
	if p.Arrival != "poisson" || p.Seed != 7 || !p.HasSeed || p.MaxInFlight != 10000 {
		t.Errorf("arrival/seed/max = %q %d %v %d", p.Arrival, p.Seed, p.HasSeed, p.MaxInFlight)
	}
	want := []Stage{
		{Name: "warm-up", Rate: 100, To: 100, Duration: 10 * time.Second},
		{Name: "stage 2 100→1000 rps", Rate: 100, To: 1000, Duration: 30 * time.Second},
		{Name: "stage 3 @ 1000 rps", Rate: 1000, To: 1000, Duration: 60 * time.Second},
	}
	if len(p.Stages) != len(want) {
		t.Fatalf("stages = %+v", p.Stages)
	}
	for i := range want {
		if p.Stages[i] != want[i] {
			t.Errorf("stage %d = %+v, want %+v", i+1, p.Stages[i], want[i])
		}
	}
	if strings.Join(p.Assert, "|") != "p99 < 250ms|ratio(503) < 1%|p99 < 400ms in each stage" {
		t.Errorf("assert = %q", p.Assert)
	}
	if p.Duration() != 100*time.Second {
		t.Errorf("duration = %s", p.Duration())
	}
}

func TestShapesFromFile(t *testing.T) {
	tests := []struct {
		file  string
		kind  string
		rates []float64 // Rate of each stage
		durs  []time.Duration
	}{
		{"step.yaml", "step", []float64{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000}, nil},
		// spike at 20s for 5s in 60s: base 20s, spike 5s, after 35s.
		{"spike.yaml", "spike", []float64{200, 2000, 200}, []time.Duration{20 * time.Second, 5 * time.Second, 35 * time.Second}},
		// ramp 10→500 over 60s in 6 pieces: each 10s, starting rates 10 + 490·i/6.
		{"ramp.yaml", "ramp", []float64{10, 10 + 490.0/6, 10 + 2*490.0/6, 10 + 3*490.0/6, 10 + 4*490.0/6, 10 + 5*490.0/6}, nil},
	}
	for _, tt := range tests {
		p, err := Load(filepath.Join("../../testdata/profiles", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != tt.kind || len(p.Stages) != len(tt.rates) {
			t.Fatalf("%s: kind %q stages %+v", tt.file, p.Kind, p.Stages)
		}
		for i, r := range tt.rates {
			if d := p.Stages[i].Rate - r; d > 1e-9 || d < -1e-9 {
				t.Errorf("%s stage %d rate %g, want %g", tt.file, i+1, p.Stages[i].Rate, r)
			}
			if tt.durs != nil && p.Stages[i].Duration != tt.durs[i] {
				t.Errorf("%s stage %d duration %s, want %s", tt.file, i+1, p.Stages[i].Duration, tt.durs[i])
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	const head = "target: {url: http://127.0.0.1/}\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"empty", "", "p.yaml: empty profile"},
		{"syntax", "stages: [\n", "p.yaml:1: invalid YAML:"},
		{"unknown top key", head + "rates: 5\n", `p.yaml:2: unknown key "rates" in the profile`},
		{"unknown stage key", head + "stages:\n  - {rate: 5, duration: 1s, ratee: 3}\n", `p.yaml:3: unknown key "ratee" in stage 1`},
		{"zero rate", head + "stages:\n  - rate: 0\n    duration: 1s\n", "p.yaml:3: rate must be > 0"},
		{"negative rate", head + "stages:\n  - {rate: -5, duration: 1s}\n", "p.yaml:3: rate must be > 0"},
		{"rate string", head + "stages:\n  - {rate: fast, duration: 1s}\n", "p.yaml:3: rate must be a number"},
		{"zero duration", head + "stages:\n  - {rate: 5, duration: 0s}\n", "p.yaml:3: duration must be > 0"},
		{"negative duration", head + "stages:\n  - {rate: 5, duration: -1s}\n", "p.yaml:3: duration must not be negative"},
		{"bad duration", head + "stages:\n  - {rate: 5, duration: 10}\n", `p.yaml:3: duration must be a duration like 10s, not "10"`},
		{"to without rate", head + "stages:\n  - {to: 5, duration: 1s}\n", "p.yaml:3: stage 1: to without a rate"},
		{"no duration", head + "stages:\n  - {rate: 5}\n", "p.yaml:3: stage 1: duration is required"},
		{"both", head + "stages:\n  - {rate: 5, duration: 1s}\nprofile: {kind: constant, rate: 1, duration: 1s}\n", "p.yaml:4: both stages and profile"},
		{"both reversed", head + "profile: {kind: constant, rate: 1, duration: 1s}\nstages:\n  - {rate: 5, duration: 1s}\n", "p.yaml:3: both stages and profile"},
		{"empty stages", head + "stages: []\n", "p.yaml:2: stages must be a non-empty list"},
		{"bad url", "target: {url: 'ftp://x/'}\n", `p.yaml:1: invalid URL "ftp://x/": the scheme must be http or https`},
		{"no host", "target: {url: 'http:///x'}\n", `p.yaml:1: invalid URL "http:///x": no host`},
		{"secret url", "target: {url: 'ftp://u:pw@x/'}\n", `p.yaml:1: invalid URL "ftp://REDACTED@x/"`},
		{"bad arrival", head + "arrival: bursty\n", `p.yaml:2: arrival must be uniform or poisson, not "bursty"`},
		{"bad kind", head + "profile: {kind: wave}\n", `p.yaml:2: profile kind must be constant, step, spike or ramp, not "wave"`},
		{"missing field", head + "profile: {kind: step, from: 1, to: 5, steps: 3}\n", "p.yaml:2: profile (step): a step shape needs step_duration"},
		{"foreign field", head + "profile: {kind: step, rate: 5}\n", `p.yaml:2: unknown key "rate" in profile (step)`},
		{"spike too long", head + "profile: {kind: spike, rate: 1, spike_rate: 2, spike_at: 50s, spike_for: 20s, duration: 60s}\n", "p.yaml:2: profile (spike): the spike (spike_at 50s + spike_for 20s) ends after duration 1m0s"},
		{"duplicate", head + "seed: 1\nseed: 2\n", `p.yaml:3: duplicate key "seed"`},
		{"seed float", head + "seed: 1.5\n", "p.yaml:2: seed must be a whole number"},
		{"max in flight", head + "max_in_flight: 0\n", "p.yaml:2: max_in_flight must be between 1 and 10000000"},
		{"two docs", head + "---\nseed: 1\n", "p.yaml:2: more than one YAML document"},
		{"not a mapping", "- a\n- b\n", "p.yaml:1: the profile must be a mapping"},
		{"bad header", "target: {url: 'http://x/', headers: {'Bad Name': v}}\n", `p.yaml:1: header "Bad Name": invalid name`},
		{"body twice", "target: {url: 'http://x/', body: a, body_file: b}\n", "p.yaml:1: both body and body_file"},
		{"timeout zero", "target: {url: 'http://x/', timeout: 0s}\n", "p.yaml:1: timeout must be > 0"},
		{"assert not list", head + "assert: p99<1s\n", "p.yaml:2: assert must be a list"},
		{"huge rate", head + "stages:\n  - {rate: 1e99, duration: 1s}\n", "p.yaml:3: rate must be at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not *profile.Error", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n  %q\nwant prefix\n  %q", err, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}

func TestRedact(t *testing.T) {
	if got := RedactURL("http://user:pw@host:1/p?q=1"); got != "http://REDACTED@host:1/p?q=1" {
		t.Errorf("RedactURL = %q", got)
	}
	if got := RedactURL("http://host/p"); got != "http://host/p" {
		t.Errorf("RedactURL = %q", got)
	}
	h := RedactHeaders([]Header{{"Authorization", "Bearer x"}, {"Cookie", "a=b"}, {"X-Trace", "1"}})
	if h["Authorization"] != Redacted || h["Cookie"] != Redacted || h["X-Trace"] != "1" {
		t.Errorf("RedactHeaders = %v", h)
	}
	p, err := Load("../../testdata/profiles/ramp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := RedactHeaders(p.Request.Headers)["Authorization"]; got != Redacted {
		t.Errorf("profile Authorization = %q", got)
	}
}

func TestParseHeader(t *testing.T) {
	h, err := ParseHeader("content-type:  text/plain ")
	if err != nil || h != (Header{"Content-Type", "text/plain"}) {
		t.Fatalf("%+v %v", h, err)
	}
	for _, bad := range []string{"novalue", ": x", "a b: c", "X: \x00"} {
		if _, err := ParseHeader(bad); err == nil {
			t.Errorf("ParseHeader(%q) = nil error", bad)
		}
	}
	_, err = ParseHeader("Authorization Bearer secret")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("error leaks the value: %v", err)
	}
}

func TestShapeErrors(t *testing.T) {
	if _, err := Step(100, 200, 1, time.Second); err == nil {
		t.Error("step with 1 step and to != from accepted")
	}
	if _, err := Spike(1, 2, 0, time.Second, time.Second); err != nil {
		t.Errorf("spike filling the run: %v", err)
	}
	st, _ := Spike(1, 2, 0, time.Second, time.Second)
	if len(st) != 1 {
		t.Errorf("spike stages = %+v", st)
	}
	if _, err := Constant(0, time.Second); err == nil || err.Error() != "rate must be > 0" { // its own words: no flag names
		t.Errorf("Constant(0) = %v", err)
	}
	r, err := Ramp(10, 20, 10*time.Second, 3)
	if err != nil {
		t.Fatal(err)
	}
	var total time.Duration
	for _, s := range r {
		total += s.Duration
	}
	if total != 10*time.Second || r[2].To != 20 || r[0].Rate != 10 || r[1].Rate != r[0].To {
		t.Errorf("ramp = %+v", r)
	}
}

func TestShapeOverride(t *testing.T) {
	p, err := Load("../../testdata/profiles/step.yaml")
	if err != nil {
		t.Fatal(err)
	}
	flags := Shape{Set: map[string]bool{"step_duration": true}, StepDuration: 2 * time.Second}
	st, err := p.Shape.Override(flags).Stages(flagName)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 10 || st[9].Rate != 1000 || st[0].Duration != 2*time.Second {
		t.Fatalf("stages = %+v", st)
	}
	// Switching the kind with a parameter the new kind does not take.
	flags = Shape{Kind: "constant", Set: map[string]bool{"rate": true, "duration": true}, Rate: 5, Duration: time.Second}
	_, err = p.Shape.Override(flags).Stages(flagName)
	if err == nil || !strings.Contains(err.Error(), "--from, --step-duration, --steps, --to do not apply to a constant shape (it takes --rate, --duration; a step shape takes them: --profile step)") {
		t.Fatalf("err = %v", err)
	}
	_, err = Shape{Kind: "spike", Set: map[string]bool{"rate": true}}.Stages(flagName)
	if err == nil || err.Error() != "a spike shape needs --spike-rate, --spike-at, --spike-for, --duration" {
		t.Fatalf("err = %v", err)
	}
}

// flagName names a parameter as a command line does.
func flagName(param string) string { return "--" + strings.ReplaceAll(param, "_", "-") }
