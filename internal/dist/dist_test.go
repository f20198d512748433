package dist

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Dist
		err  bool
	}{
		{"exp:10ms", Dist{Kind: Exponential, Mean: 0.01}, false},
		{" det:1.5s ", Dist{Kind: Deterministic, Mean: 1.5}, false},
		{"lognormal:10ms,0.5", Dist{Kind: Lognormal, Mean: 0.01, Sigma: 0.5}, false},
		{"EXP:250us", Dist{Kind: Exponential, Mean: 0.00025}, false},
		{"exp", Dist{}, true},
		{"exp:", Dist{}, true},
		{"exp:-1ms", Dist{}, true},
		{"exp:0s", Dist{}, true},
		{"uniform:10ms", Dist{}, true},
		{"lognormal:10ms", Dist{}, true},
		{"lognormal:10ms,0", Dist{}, true},
		{"lognormal:10ms,NaN", Dist{}, true},
		{"lognormal:10ms,11", Dist{}, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.err || (err == nil && got != tt.want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// FuzzParse: Parse never panics; what it accepts is a valid Dist whose
// String form parses back to the same value.
// Run: go test -run XXX -fuzz FuzzParse -fuzztime 20s ./internal/dist/
func FuzzParse(f *testing.F) {
	for _, s := range []string{"exp:10ms", "det:1s", "lognormal:10ms,0.5", "lognormal:1h,10", "exp:", ":", "lognormal:,", "det:1e400s", "exp:9223372036854775807ns", "lognormal:5ms,1e-320", "EXP:3µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("Parse(%q) = %+v: %v", s, d, err)
		}
		// Means above 2^53 ns (104 days) cannot round-trip exactly through
		// float64 seconds, so the mean is compared to 1e-15 relative.
		back, err := Parse(d.String())
		if err != nil || back.Kind != d.Kind || back.Sigma != d.Sigma || math.Abs(back.Mean-d.Mean) > 1e-15*d.Mean {
			t.Fatalf("Parse(%q) = %+v; String %q parses to %+v, %v", s, d, d.String(), back, err)
		}
	})
}

func TestDistQuantileAndTail(t *testing.T) {
	// Independent reference: gonum distuv (lognormal with μ_log = ln m − σ²/2,
	// exponential with rate 1/m).
	for _, sigma := range []float64{0.1, 0.5, 1, 2} {
		d := Dist{Kind: Lognormal, Mean: 0.01, Sigma: sigma}
		ref := distuv.LogNormal{Mu: math.Log(0.01) - sigma*sigma/2, Sigma: sigma}
		checkRel(t, "lognormal mean", ref.Mean(), 0.01, 1e-12)
		for _, p := range []float64{0.01, 0.5, 0.99, 0.9999} {
			checkRel(t, "lognormal quantile", d.Quantile(p), ref.Quantile(p), 1e-9)
			checkRel(t, "lognormal tail", d.Tail(d.Quantile(p)), 1-p, 1e-9)
		}
		checkRel(t, "SCV", d.SCV(), ref.Variance()/(0.01*0.01), 1e-9)
	}
	// docs/queueing.md §6.1 rule 4: lognormal σ = 1 with mean 10 ms has a
	// p99 of 62 ms (printed to the millisecond, so ± 0.5 ms). Exactly:
	// 10 ms·exp(z₀.₉₉ − ½) = 10 ms·exp(2.32635 − 0.5) = 62.11 ms.
	checkAbs(t, "LN(1) p99 ms", 1000*Dist{Kind: Lognormal, Mean: 0.01, Sigma: 1}.Quantile(0.99), 62, 0.5)
	e := Dist{Kind: Exponential, Mean: 0.01}
	checkRel(t, "exp quantile", e.Quantile(0.99), distuv.Exponential{Rate: 100}.Quantile(0.99), 1e-12)
	checkRel(t, "exp tail", e.Tail(0.02), math.Exp(-2), 1e-15)
	dd := Dist{Kind: Deterministic, Mean: 0.01}
	if dd.Quantile(0.3) != 0.01 || dd.Tail(0.0099) != 1 || dd.Tail(0.01) != 0 || !math.IsNaN(dd.Quantile(1)) {
		t.Error("deterministic quantile/tail")
	}
}

func TestFromMeanSCV(t *testing.T) {
	for _, tt := range []struct {
		scv  float64
		kind Kind
	}{{0, Deterministic}, {1, Exponential}, {0.284, Lognormal}, {math.Expm1(1), Lognormal}, {4, Lognormal}} {
		d, err := FromMeanSCV(0.01, tt.scv)
		if err != nil || d.Kind != tt.kind {
			t.Fatalf("FromMeanSCV(10ms, %g) = %+v, %v", tt.scv, d, err)
		}
		checkAbs(t, "SCV round trip", d.SCV(), tt.scv, 1e-12)
	}
	// docs/queueing.md §4: σ = 0.5 has SCV 0.284 (3 decimals printed, so
	// ± 0.0005); exactly e^0.25 − 1 = 0.28403.
	checkAbs(t, "LN(0.5) SCV", Dist{Kind: Lognormal, Mean: 1, Sigma: 0.5}.SCV(), 0.284, 0.0005)
	for _, bad := range [][2]float64{{0, 1}, {-1, 1}, {0.01, -1}, {0.01, math.NaN()}, {0.01, 1e300}} {
		if _, err := FromMeanSCV(bad[0], bad[1]); err == nil {
			t.Errorf("FromMeanSCV(%g, %g) succeeded", bad[0], bad[1])
		}
	}
}

func TestSamplersMoments(t *testing.T) {
	// Sample mean and SCV of 200 000 draws. Tolerances are 6 standard errors
	// (a fixed seed makes the test deterministic; 6σ leaves room for the
	// heavier-than-normal error of the SCV estimate): SE(mean) = m·√(scv/n);
	// SE(variance)/variance ≈ √((κ−1)/n) with κ the kurtosis, bounded here
	// by taking κ ≤ 3 + 6·scv (gamma: 3 + 6/shape).
	r := rand.New(rand.NewPCG(7, 7))
	const n = 200_000
	for _, tt := range []struct {
		name string
		s    Sampler
		mean float64
		scv  float64
	}{
		{"gamma 0.1", Gamma{Mean: 0.001, SCV: 0.1}, 0.001, 0.1},
		{"gamma 0.5", Gamma{Mean: 0.001, SCV: 0.5}, 0.001, 0.5},
		{"gamma 1", Gamma{Mean: 0.001, SCV: 1}, 0.001, 1},
		{"gamma 2.5 (shape < 1)", Gamma{Mean: 0.001, SCV: 2.5}, 0.001, 2.5},
		{"exp", Dist{Kind: Exponential, Mean: 0.01}, 0.01, 1},
		{"lognormal 0.5", Dist{Kind: Lognormal, Mean: 0.01, Sigma: 0.5}, 0.01, math.Expm1(0.25)},
	} {
		sum, sum2 := 0.0, 0.0
		for range n {
			x := tt.s.Sample(r)
			if !(x > 0) {
				t.Fatalf("%s: sample %g", tt.name, x)
			}
			sum += x
			sum2 += x * x
		}
		m := sum / n
		v := sum2/n - m*m
		checkAbs(t, tt.name+" mean", m, tt.mean, 6*tt.mean*math.Sqrt(tt.scv/n))
		checkRel(t, tt.name+" SCV", v/(m*m), tt.scv, 6*math.Sqrt((2+6*tt.scv)/n)+4*math.Sqrt(tt.scv/n))
	}
	if (Gamma{Mean: 0.5}).Sample(r) != 0.5 {
		t.Error("Gamma with SCV 0 should be constant")
	}
}

func TestInterarrivals(t *testing.T) {
	for _, tt := range []struct {
		scv  float64
		want string
	}{{0, "dist.Dist"}, {1, "dist.Dist"}, {0.3, "dist.Gamma"}} {
		s, err := Interarrivals(1000, tt.scv)
		if err != nil || !strings.Contains(typeName(s), tt.want) {
			t.Errorf("Interarrivals(1000, %g) = %T, %v", tt.scv, s, err)
		}
	}
	if s, _ := Interarrivals(1000, 0); s.Sample(nil) != 0.001 {
		t.Error("uniform gap")
	}
	for _, bad := range [][2]float64{{0, 1}, {1, -1}, {1, 1000}, {math.Inf(1), 1}} {
		if _, err := Interarrivals(bad[0], bad[1]); err == nil {
			t.Errorf("Interarrivals(%g, %g) succeeded", bad[0], bad[1])
		}
	}
}

func typeName(v any) string {
	switch v.(type) {
	case Dist:
		return "dist.Dist"
	case Gamma:
		return "dist.Gamma"
	}
	return "?"
}

// checkAbs fails unless |got − want| ≤ tol.
func checkAbs(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.12g, want %.12g ± %.3g", name, got, want, tol)
	}
}

// checkRel is checkAbs with a tolerance relative to want.
func checkRel(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	checkAbs(t, name, got, want, rel*math.Abs(want))
}

// TestRounded: the spec for people keeps the mean to the microsecond and
// σ to 4 significant digits, and stays a spec Parse takes.
func TestRounded(t *testing.T) {
	for _, tt := range []struct {
		d    Dist
		want string
	}{
		{Dist{Kind: Lognormal, Mean: 0.005000405, Sigma: 0.07720301597471006}, "lognormal:5ms,0.0772"},
		{Dist{Kind: Exponential, Mean: 0.0070123456}, "exp:7.012ms"},
		{Dist{Kind: Deterministic, Mean: 2}, "det:2s"},
	} {
		got := tt.d.Rounded()
		if got != tt.want {
			t.Errorf("%v: Rounded %q, want %q", tt.d, got, tt.want)
		}
		if _, err := Parse(got); err != nil {
			t.Errorf("%q does not parse: %v", got, err)
		}
	}
}
