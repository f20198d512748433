package targets

import (
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/dist"
)

func mustDist(t testing.TB, s string) dist.Dist {
	t.Helper()
	d, err := dist.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConfigValidate(t *testing.T) {
	exp := mustDist(t, "exp:10ms")
	cases := []struct {
		name string
		cfg  Config
		err  string // substring; "" means valid
	}{
		{"minimal", Config{Workers: 1, Service: exp}, ""},
		{"stalls", Config{Workers: 1, Service: exp, StallEvery: time.Second, StallFor: 100 * time.Millisecond}, ""},
		{"no workers", Config{Service: exp}, "workers 0"},
		{"negative queue", Config{Workers: 1, Queue: -1, Service: exp}, "queue -1"},
		{"no service", Config{Workers: 1}, "mean"},
		{"bad policy", Config{Workers: 1, Service: exp, Policy: 9}, "policy"},
		{"half a stall", Config{Workers: 1, Service: exp, StallEvery: time.Second}, "both"},
		{"stall too long", Config{Workers: 1, Service: exp, StallEvery: time.Second, StallFor: time.Second}, "shorter"},
	}
	for _, c := range cases {
		err := c.cfg.Validate()
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.err)
		}
	}
	if _, err := Start(Config{}); err == nil || !strings.HasPrefix(err.Error(), "target: ") {
		t.Errorf("Start(zero config) = %v, want a target: error", err)
	}
}

func TestConfigModel(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
		k    int
	}{
		{Config{Workers: 8, Queue: 8, Service: mustDist(t, "exp:10ms")}, "M/M/8/16", 16},
		{Config{Workers: 8, Queue: 0, Service: mustDist(t, "det:10ms")}, "M/D/8/8", 8},
		{Config{Workers: 2, Queue: 3, Service: mustDist(t, "lognormal:10ms,1")}, "M/G/2/5", 5},
		{Config{Workers: 8, Queue: 8, Service: mustDist(t, "exp:10ms"), Policy: Unbounded}, "M/M/8", -1},
	}
	for _, c := range cases {
		if got := c.cfg.Model(); got != c.want {
			t.Errorf("Model() = %q, want %q", got, c.want)
		}
		if got := c.cfg.SystemCapacity(); got != c.k {
			t.Errorf("%s: SystemCapacity() = %d, want %d", c.want, got, c.k)
		}
	}
	// c/E[S]: 8 workers at 10 ms is 800 requests/s.
	if got := cases[0].cfg.Capacity(); got < 799.999 || got > 800.001 {
		t.Errorf("Capacity() = %v, want 800", got)
	}
}

func TestParsePolicy(t *testing.T) {
	for in, want := range map[string]Policy{"reject": Reject, "UNBOUNDED": Unbounded, " reject ": Reject} {
		got, err := ParsePolicy(in)
		if err != nil || got != want {
			t.Errorf("ParsePolicy(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParsePolicy("drop"); err == nil {
		t.Error("ParsePolicy(drop): no error")
	}
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{"reject", "unbounded", "", "Reject ", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePolicy(s)
		if err != nil {
			return
		}
		// Whatever parses prints as a canonical spelling that parses back.
		q, err := ParsePolicy(p.String())
		if err != nil || q != p {
			t.Fatalf("%q → %v → %v, %v", s, p, q, err)
		}
	})
}
