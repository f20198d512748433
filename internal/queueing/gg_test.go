package queueing

import (
	"errors"
	"math"
	"testing"
)

// lnSCV1 is the SCV of a lognormal with σ = 1, exp(1) − 1 = 1.718 (the
// sheet's "1.72").
var lnSCV1 = math.Expm1(1)

func TestGGcSheetTable(t *testing.T) {
	// docs/queueing.md §4 "Measured accuracy" table: c = 8, ρ = 0.85, E[S] = 10 ms,
	// E[Wq] in ms. The sheet prints 4 significant digits; compared at that
	// precision ("" = not printed: "=" or "same" in the sheet).
	tests := []struct {
		name                    string
		ca2, cs2                float64
		ac, klb, whitt, sakaseg string
	}{
		{"M/M/8", 1, 1, "4.771", "4.771", "4.771", "4.920"},
		{"M/D/8", 1, 0, "2.386", "2.386", "2.492", "2.460"},
		{"D/M/8", 0, 1, "2.386", "2.121", "1.742", "2.460"},
		{"G/M/8 (0.1)", 0.1, 1, "2.624", "2.406", "2.176", "2.706"},
		{"M/LN/8", 1, lnSCV1, "6.485", "6.485", "6.254", "6.687"},
		{"D/LN/8", 0, lnSCV1, "4.099", "3.828", "2.993", "4.227"},
	}
	for _, tt := range tests {
		q := GG{Lambda: 680, Servers: 8, MeanService: 0.01, ArrivalSCV: tt.ca2, ServiceSCV: tt.cs2}
		for _, f := range []struct {
			name string
			fn   func(GG) (float64, error)
			want string
		}{{"Allen–Cunneen", AllenCunneen, tt.ac}, {"KLB", KLB, tt.klb}, {"Whitt", Whitt, tt.whitt}, {"Sakasegawa", Sakasegawa, tt.sakaseg}} {
			got, err := f.fn(q)
			if err != nil {
				t.Fatal(err)
			}
			checkPrinted(t, tt.name+" "+f.name, got, 1000, f.want)
		}
	}
}

func TestGGcExactForMMC(t *testing.T) {
	// Allen–Cunneen and Whitt reduce to the exact M/M/c mean for ca² = cs² = 1.
	for _, c := range []int{1, 2, 8, 50} {
		for _, rho := range []float64{0.3, 0.85, 0.99} {
			lambda := rho * float64(c) * 100
			exact := mustMMC(t, lambda, 100, c).MeanWait()
			q := GG{Lambda: lambda, Servers: c, MeanService: 0.01, ArrivalSCV: 1, ServiceSCV: 1}
			ac, _ := AllenCunneen(q)
			w, _ := Whitt(q)
			checkRel(t, "Allen–Cunneen M/M/c", ac, exact, 1e-12)
			checkRel(t, "Whitt M/M/c", w, exact, 1e-12)
		}
	}
}

func TestSingleServerSheetTable3(t *testing.T) {
	// docs/queueing.md §10 table 3, E[Wq]/E[S]. D/M/1: exact GI/M/1, Kingman, KLB
	// (4 significant digits printed). M/D/1: Pollaczek–Khinchine, where Kingman
	// is exact: ρ(1+cs²)/(2(1−ρ)) = 0.5, 2, 4.5.
	for _, tt := range []struct {
		rho                 float64
		exact, kingman, klb string
		md1                 float64
	}{
		{0.5, "0.2550", "0.500", "0.2567", 0.5},
		{0.8, "1.6927", "2.000", "1.6930", 2},
		{0.9, "4.1787", "4.500", "4.1787", 4.5},
	} {
		lambda := tt.rho * 100
		g, err := NewDM1(lambda, 100)
		if err != nil {
			t.Fatal(err)
		}
		checkPrinted(t, "D/M/1 exact", g.MeanWait(), 100, tt.exact)
		dm1 := GG{Lambda: lambda, Servers: 1, MeanService: 0.01, ArrivalSCV: 0, ServiceSCV: 1}
		k, _ := Kingman(dm1)
		checkPrinted(t, "D/M/1 Kingman", k, 100, tt.kingman)
		klb, _ := KLB(dm1)
		checkPrinted(t, "D/M/1 KLB", klb, 100, tt.klb)
		// KLB "≤ 0.7% from the GI/M/1 exact value at ρ = 0.5 to 0.9" (§4).
		checkRel(t, "KLB vs exact", klb, g.MeanWait(), 0.007)
		// Whitt equals KLB for c = 1 (§4 "KLB (which equals Whitt for c = 1)"),
		// to the sheet's 4 digits.
		w, _ := Whitt(dm1)
		checkPrinted(t, "D/M/1 Whitt", w, 100, tt.klb)

		md1 := GG{Lambda: lambda, Servers: 1, MeanService: 0.01, ArrivalSCV: 1, ServiceSCV: 0}
		k, _ = Kingman(md1)
		checkRel(t, "M/D/1 Kingman = P-K", k/0.01, tt.md1, 1e-12)
		ac, _ := AllenCunneen(md1)
		checkRel(t, "Allen–Cunneen = Kingman for c = 1", ac, k, 1e-12)
	}
}

func TestGIM1(t *testing.T) {
	// The root satisfies σ = exp(−(1−σ)/ρ) for D/M/1 (docs/queueing.md §4).
	for _, rho := range []float64{0.05, 0.5, 0.8, 0.9, 0.99, 0.999} {
		g, err := NewDM1(rho*100, 100)
		if err != nil {
			t.Fatal(err)
		}
		s := g.Sigma()
		checkAbs(t, "σ fixed point", s, math.Exp(-(1-s)/rho), 1e-13)
		if !(s > 0 && s < 1) {
			t.Errorf("σ = %g", s)
		}
		checkRel(t, "T_p", g.ResponseQuantile(0.99), math.Log(100)/(100*(1-s)), 1e-14)
		checkRel(t, "tail", g.ResponseTail(g.ResponseQuantile(0.9)), 0.1, 1e-12)
		checkRel(t, "W = Wq + 1/μ", g.MeanResponse(), g.MeanWait()+0.01, 1e-12)
	}
	// Poisson arrivals (LST λ/(λ+s)) make GI/M/1 the M/M/1: σ = ρ exactly.
	for _, rho := range []float64{0.2, 0.7, 0.95} {
		lambda := rho * 100
		g, err := NewGIM1(100, 1/lambda, func(s float64) float64 { return lambda / (lambda + s) })
		if err != nil {
			t.Fatal(err)
		}
		checkRel(t, "M/M/1 σ = ρ", g.Sigma(), rho, 1e-12)
		checkRel(t, "M/M/1 E[Wq]", g.MeanWait(), mustMMC(t, lambda, 100, 1).MeanWait(), 1e-11)
	}
	for _, bad := range [][2]float64{{100, 100}, {150, 100}, {0, 100}, {1, -1}, {math.NaN(), 1}} {
		if _, err := NewDM1(bad[0], bad[1]); err == nil {
			t.Errorf("NewDM1(%g, %g) succeeded", bad[0], bad[1])
		}
	}
}

func TestGGInvalid(t *testing.T) {
	good := GG{Lambda: 680, Servers: 8, MeanService: 0.01, ArrivalSCV: 1, ServiceSCV: 1}
	bad := []GG{
		{Lambda: 800, Servers: 8, MeanService: 0.01, ArrivalSCV: 1, ServiceSCV: 1}, // ρ = 1
		{Lambda: 0, Servers: 8, MeanService: 0.01},
		{Lambda: 1, Servers: 0, MeanService: 0.01},
		{Lambda: 1, Servers: 1, MeanService: math.NaN()},
		{Lambda: 1, Servers: 1, MeanService: 0.01, ArrivalSCV: -1},
		{Lambda: 1, Servers: 1, MeanService: 0.01, ServiceSCV: math.Inf(1)},
	}
	for _, q := range bad {
		for _, fn := range []func(GG) (float64, error){AllenCunneen, KLB, Whitt, Sakasegawa} {
			if _, err := fn(q); err == nil {
				t.Errorf("%+v: no error", q)
			}
		}
	}
	if _, err := AllenCunneen(bad[0]); !errors.Is(err, ErrUnstable) {
		t.Errorf("ρ = 1: %v, want ErrUnstable", err)
	}
	if _, err := Kingman(good); err == nil {
		t.Error("Kingman with 8 workers: no error")
	}
	dd := GG{Lambda: 50, Servers: 1, MeanService: 0.01}
	if w, err := Whitt(dd); err != nil || w != 0 {
		t.Errorf("D/D/1 Whitt = %g, %v; want 0", w, err)
	}
}
