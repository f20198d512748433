package sizing

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/dist"
)

func TestInputSpec(t *testing.T) {
	in := Input{Rate: 900, ServiceTime: "10ms", ServiceSCV: 0.284, Arrival: "uniform", SLO: "p99<50ms",
		MaxReject: "1%", MaxUtilization: "0.9", Workers: 12, SimArrivals: 50000,
		Given: func(s string) bool { return s == "rate" || s == "service_scv" || s == "arrival" }}
	spec, err := in.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if spec.Rate != 900 || spec.ArrivalSCV != 0 || spec.MaxReject != 0.01 || spec.MaxUtilization != 0.9 || spec.Workers != 12 ||
		spec.SLO != (SLO{Quantile: 0.99, Target: 0.05}) || spec.SimArrivals != 50000 || math.Abs(spec.Service.SCV()-0.284) > 1e-12 {
		t.Errorf("spec = %+v", spec)
	}
	// A saved run's measurements stand in for what is not given; what is
	// given wins.
	m := &Measured{Rate: 400, Service: dist.Dist{Kind: dist.Deterministic, Mean: 0.02}, ArrivalSCV: 0.3}
	in = Input{SLO: "p99<50ms", MaxReject: "0.1%", MaxUtilization: "1", Arrival: "poisson", Measured: m}
	if spec, err = in.Spec(); err != nil || spec.Rate != 400 || spec.Service != m.Service || spec.ArrivalSCV != 0.3 {
		t.Errorf("measured: %+v, %v", spec, err)
	}
	in.Rate, in.ServiceTime, in.Given = 900, "exp:10ms", func(s string) bool { return s == "rate" || s == "arrival" }
	if spec, err = in.Spec(); err != nil || spec.Rate != 900 || spec.Service.Kind != dist.Exponential || spec.ArrivalSCV != 1 {
		t.Errorf("measured, overridden: %+v, %v", spec, err)
	}
}

// TestInputDefaults: the default reject ceiling is 0.1 %, and the
// default arrivals per simulation is within Recommend's accepted range.
func TestInputDefaults(t *testing.T) {
	in := Input{Rate: 900, ServiceTime: "10ms", ServiceSCV: 1, Arrival: "poisson", SLO: "p99<50ms",
		MaxReject: DefaultMaxReject, MaxUtilization: "1", SimArrivals: DefaultSimArrivals,
		Given: func(s string) bool { return s == "rate" }}
	spec, err := in.Spec()
	if err != nil || spec.MaxReject != 0.001 || spec.SimArrivals != DefaultSimArrivals {
		t.Fatalf("defaults: %+v, %v", spec, err)
	}
	if _, err := Size(spec, nil); err != nil {
		t.Errorf("Size with the default arrivals per simulation: %v", err)
	}
}

func TestInputErrors(t *testing.T) {
	flag := func(s string) string { return "--" + strings.ReplaceAll(s, "_", "-") }
	ok := Input{Rate: 900, ServiceTime: "10ms", ServiceSCV: 1, Arrival: "poisson", SLO: "p99<50ms", MaxReject: "0.1%", MaxUtilization: "1", Name: flag}
	for _, tc := range []struct {
		given  string // the settings given, besides rate
		change func(*Input)
		want   string
	}{
		{"-rate", func(in *Input) { in.Name = nil }, "rate must be a number of requests per second > 0"},
		{"", func(in *Input) { in.Rate = math.Inf(1) }, "--rate must be a number of requests per second > 0"},
		{"", func(in *Input) { in.ServiceTime = "" }, "--service-time is required (10ms, or exp:10ms, det:10ms, lognormal:10ms,0.5)"},
		{"", func(in *Input) { in.ServiceTime = "fast" }, `--service-time must be a positive duration like 10ms, or exp:10ms, det:10ms, lognormal:10ms,0.5; got "fast"`},
		{"", func(in *Input) { in.ServiceTime = "uniform:10ms" }, `--service-time: service "uniform:10ms": unknown distribution`},
		{"service_scv", func(in *Input) { in.ServiceTime = "det:10ms" }, `--service-time "det:10ms" already names a distribution; drop --service-scv`},
		{"service_scv", func(in *Input) { in.ServiceSCV = -1 }, "--service-scv: "},
		{"arrival", func(in *Input) { in.Arrival = "bursty" }, `--arrival must be poisson or uniform, got "bursty"`},
		{"arrival arrival_scv", func(in *Input) {}, "give --arrival or --arrival-scv, not both"},
		{"arrival_scv", func(in *Input) { in.ArrivalSCV = -0.5 }, "--arrival-scv must be a number in [0, 100], got -0.5"},
		{"", func(in *Input) { in.SLO = "" }, "--slo is required, e.g. --slo 'p99<50ms'"},
		{"", func(in *Input) { in.SLO = "p99>50ms" }, `--slo: "p99>50ms": an SLO bounds the percentile from above`},
		{"", func(in *Input) { in.MaxReject = "150%" }, `--max-reject must be a fraction or percentage in (0, 1), like 0.1% or 0.001; got "150%"`},
		{"", func(in *Input) { in.MaxUtilization = "1.2" }, `--max-utilization must be a fraction or percentage in (0, 1], like 0.85 or 85%; got "1.2"`},
		{"", func(in *Input) { in.Workers = -2 }, "--workers must be ≥ 1 (or 0 to search), got -2"},
	} {
		in := ok
		given := strings.Fields(tc.given + " rate")
		in.Given = func(s string) bool { return slices.Contains(given, s) && !slices.Contains(given, "-"+s) }
		tc.change(&in)
		_, err := in.Spec()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("want %q, got %v", tc.want, err)
		}
	}
}

func TestSizeParseSLO(t *testing.T) {
	tests := []struct {
		in      string
		q, s    float64
		wantErr bool
	}{
		{"p99<50ms", 0.99, 0.05, false},
		{" p99.9 <= 250ms ", 0.999, 0.25, false},
		{"P50<8ms", 0.5, 0.008, false},
		{"p99 < 1.5s", 0.99, 1.5, false},
		{"p99.99<800us", 0.9999, 0.0008, false},
		{"p99 < 50 ms in run", 0.99, 0.05, false}, // the gate grammar of run --assert
		{"2xx.p99 ≤ 80ms", 0.99, 0.08, false},
		{"p99.9<50ms", 0.999, 0.05, false}, // exactly 0.999, not 99.9/100
		{"p 9 9 < 5 0 ms", 0, 0, true},
		{"p99 < 50ms in stage 2", 0, 0, true},
		{"service.p99 < 50ms", 0, 0, true},
		{"ratio(503) < 1%", 0, 0, true},
		{"p100<1s", 0, 0, true},
		{"p0<1s", 0, 0, true},
		{"p999<1s", 0, 0, true},
		{"p99>50ms", 0, 0, true},
		{"p99<", 0, 0, true},
		{"p99<0s", 0, 0, true},
		{"p99<50", 0, 0, true},
		{"99<50ms", 0, 0, true},
		{"pNaN<50ms", 0, 0, true},
		{"pinf<50ms", 0, 0, true},
		{"p1e1<50ms", 0, 0, true},
		{"p-5<50ms", 0, 0, true},
		{"mean<50ms", 0, 0, true},
		{"", 0, 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSLO(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseSLO(%q) = %+v, %v", tt.in, got, err)
			continue
		}
		if err == nil && (got.Quantile != tt.q || math.Abs(got.Target-tt.s) > 1e-15) {
			t.Errorf("ParseSLO(%q) = %+v, want %g, %g", tt.in, got, tt.q, tt.s)
		}
	}
}

// FuzzParseSLO: the SLO parser never panics, and what it accepts is a
// percentile in (0, 1) with a finite positive target that formats and parses
// back to the same quantile label.
// Run: go test -run XXX -fuzz FuzzParseSLO -fuzztime 20s ./internal/sizing/
func FuzzParseSLO(f *testing.F) {
	for _, s := range []string{"p99<50ms", "p99.9 <= 250ms", "P50<8ms", "p100<1s", "p999<1s", "p99>50ms", "p99<", "pNaN<1s", "p<1s", "p99<<1s", "p99<=1h2m3s", "p1e-3<1s", "p99<9223372036854775807ns", "p.5<1s", "p5.<1s", "p0x10<1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slo, err := ParseSLO(s)
		if err != nil {
			return
		}
		if !(slo.Quantile > 0 && slo.Quantile < 1) || !(slo.Target > 0) || math.IsInf(slo.Target, 0) {
			t.Fatalf("ParseSLO(%q) = %+v", s, slo)
		}
		d := time.Duration(math.MaxInt64)
		if ns := math.Round(slo.Target * 1e9); ns < math.MaxInt64 {
			d = time.Duration(ns)
		}
		// Targets above 2^53 ns cannot round-trip exactly through float64 seconds.
		back, err := ParseSLO(quantileText(slo.Quantile) + "<" + d.String())
		if err != nil || math.Abs(back.Quantile-slo.Quantile) > 1e-12 || math.Abs(back.Target-slo.Target) > 1e-15*slo.Target {
			t.Fatalf("ParseSLO(%q) = %+v; round trip %+v, %v", s, slo, back, err)
		}
	})
}

// quantileText formats a quantile as "p" + its percentile with every
// digit, the point moved exactly (QuantileLabel rounds to 6 decimals).
func quantileText(q float64) string {
	return "p" + assert.ShiftPoint(strconv.FormatFloat(q, 'f', -1, 64), 2)
}
