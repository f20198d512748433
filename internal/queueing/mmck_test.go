package queueing

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mathext"
)

func mustMMCK(t testing.TB, lambda, mu float64, c, k int) *MMCK {
	t.Helper()
	m, err := NewMMCK(lambda, mu, c, k)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMMCKSheetTable1(t *testing.T) {
	// docs/queueing.md §10 table 1, "predicted" column: λ = 900/s, μ = 100/s,
	// c = 8, K = 16 (ρ = 1.125), from the M/M/c/K birth–death solution of §3
	// (G. Bolch, S. Greiner, H. de Meer, K. Trivedi, Queueing Networks and
	// Markov Chains, Wiley, 1998, §6.6). Compared at the printed precision.
	m := mustMMCK(t, 900, 100, 8, 16)
	if m.Workers() != 8 || m.Capacity() != 16 || m.Queue() != 8 {
		t.Errorf("c, K, K − c = %d, %d, %d; want 8, 16, 8", m.Workers(), m.Capacity(), m.Queue())
	}
	checkPrinted(t, "P_block", m.BlockProb(), 1, "0.146195")
	checkPrinted(t, "throughput", m.Throughput(), 1, "768.42")
	checkPrinted(t, "L", m.MeanNumber(), 1, "11.787")
	checkPrinted(t, "W ms", m.MeanResponse(), 1000, "15.339")
	checkPrinted(t, "Wq ms", m.MeanWait(), 1000, "5.339")
	checkPrinted(t, "P(wait|adm)", m.WaitProb(), 1, "0.8359")
	for _, tt := range []struct {
		p        float64
		wq, resp string // ms
	}{{0.5, "4.947", "12.99"}, {0.9, "11.24", "29.39"}, {0.99, "16.92", "52.42"}, {0.999, "", "75.45"}} {
		if tt.wq != "" {
			checkPrinted(t, "Wq quantile ms", m.WaitQuantile(tt.p), 1000, tt.wq)
		}
		checkPrinted(t, "T quantile ms", m.ResponseQuantile(tt.p), 1000, tt.resp)
	}
	// §3: the overload floor 1 − 1/ρ = 0.111 lies below P_block, and P_block
	// falls towards it as K grows.
	floor := 1 - 1/1.125
	prev := m.BlockProb()
	for _, k := range []int{32, 64, 128, 256} {
		b := mustMMCK(t, 900, 100, 8, k).BlockProb()
		if !(b > floor && b < prev) {
			t.Errorf("K=%d: P_block %g not in (floor %g, previous %g)", k, b, floor, prev)
		}
		prev = b
	}
	checkRel(t, "P_block K=2048", mustMMCK(t, 900, 100, 8, 2048).BlockProb(), floor, 1e-9)
}

func TestMMCKSheetSizing(t *testing.T) {
	// docs/queueing.md §6.2 and §10.5 (λ = 900, E[S] = 10 ms, SLO p99 ≤ 50 ms).
	m := mustMMCK(t, 900, 100, 11, 33)
	checkPrinted(t, "c=11 K=33 P_block %", m.BlockProb(), 100, "0.0951")
	checkPrinted(t, "c=11 K=33 p99 ms", m.ResponseQuantile(0.99), 1000, "49.07")
	if b := mustMMCK(t, 900, 100, 11, 32).BlockProb(); b <= 0.001 {
		t.Errorf("c=11 K=32: P_block %g, want > 0.1%% (K_min_block = 33)", b)
	}
	// c = 10, P_block ≤ 1% needs K ≥ 29; admitted p99 ≤ 50 ms needs K ≤ 21.
	if b28, b29 := mustMMCK(t, 900, 100, 10, 28).BlockProb(), mustMMCK(t, 900, 100, 10, 29).BlockProb(); !(b28 > 0.01 && b29 <= 0.01) {
		t.Errorf("c=10: P_block(28) = %g, P_block(29) = %g; want K_min_block(1%%) = 29", b28, b29)
	}
	if p21, p22 := mustMMCK(t, 900, 100, 10, 21).ResponseQuantile(0.99), mustMMCK(t, 900, 100, 10, 22).ResponseQuantile(0.99); !(p21 <= 0.05 && p22 > 0.05) {
		t.Errorf("c=10: p99(K=21) = %g, p99(K=22) = %g; want the largest K with p99 ≤ 50 ms to be 21", p21, p22)
	}
}

func TestMMCKStationaryDirect(t *testing.T) {
	// Independent reference: the product form π_n = π_0·a^n/n! (n ≤ c),
	// π_0·a^c/c!·ρ^{n−c} (n > c), normalised, evaluated with plain powers
	// and factorials (safe at these sizes).
	for _, tt := range []struct {
		lambda float64
		c, k   int
	}{{900, 8, 16}, {700, 8, 8}, {50, 1, 10}, {300, 3, 40}, {1200, 8, 30}} {
		m := mustMMCK(t, tt.lambda, 100, tt.c, tt.k)
		a := tt.lambda / 100
		rho := a / float64(tt.c)
		q := make([]float64, tt.k+1)
		sum := 0.0
		fact := 1.0
		for n := 0; n <= tt.k; n++ {
			if n > 0 && n <= tt.c {
				fact *= float64(n)
			}
			if n <= tt.c {
				q[n] = math.Pow(a, float64(n)) / fact
			} else {
				q[n] = q[tt.c] * math.Pow(rho, float64(n-tt.c))
			}
			sum += q[n]
		}
		l, lq := 0.0, 0.0
		for n := range q {
			checkRel(t, "π_n", m.Prob(n), q[n]/sum, 1e-12)
			l += float64(n) * q[n] / sum
			if n > tt.c {
				lq += float64(n-tt.c) * q[n] / sum
			}
		}
		checkRel(t, "L", m.MeanNumber(), l, 1e-12)
		checkAbs(t, "Lq", m.MeanQueue(), lq, 1e-12*l)
		// Little's law with λ_eff (docs/queueing.md §3): W = L/λ_eff, Wq = Lq/λ_eff,
		// busy workers L − Lq = λ_eff/μ.
		lEff := tt.lambda * (1 - m.BlockProb())
		checkRel(t, "W = L/λ_eff", m.MeanResponse(), l/lEff, 1e-12)
		if lq > 0 {
			checkRel(t, "Wq = Lq/λ_eff", m.MeanWait(), lq/lEff, 1e-12)
		}
		checkRel(t, "busy = λ_eff/μ", l-lq, lEff/100, 1e-12)
		checkRel(t, "utilisation = (L − Lq)/c", m.Utilization(), (l-lq)/float64(tt.c), 1e-12)
		checkRel(t, "throughput", m.Throughput(), lEff, 1e-15)
	}
}

func TestMMCKErlangBCase(t *testing.T) {
	// K = c is the loss system: P_block = B(c, a), T = S (docs/queueing.md §3).
	for _, c := range []int{1, 8, 100} {
		for _, a := range []float64{0.5, float64(c), 2 * float64(c)} {
			m := mustMMCK(t, a*100, 100, c, c)
			checkRel(t, "π_c = B(c,a)", m.BlockProb(), ErlangB(c, a), 1e-12)
			checkRel(t, "T_p99 = S_p99", m.ResponseQuantile(0.99), math.Log(100)/100, 1e-12)
			if m.WaitProb() != 0 || m.WaitTail(0.001) != 0 || m.WaitQuantile(0.99) != 0 {
				t.Errorf("K = c must never wait")
			}
		}
	}
}

func TestMMCKLargeStable(t *testing.T) {
	// docs/queueing.md §3: "works for c = 500, K = 5000, ρ = 1.2 (probabilities sum to 1 within 1e-12)".
	m := mustMMCK(t, 1.2*500*100, 100, 500, 5000)
	sum := 0.0
	for n := 0; n <= 5000; n++ {
		p := m.Prob(n)
		if !(p >= 0 && p <= 1) {
			t.Fatalf("π_%d = %g", n, p)
		}
		sum += p
	}
	checkAbs(t, "Σπ", sum, 1, 1e-12)
	checkRel(t, "P_block → 1 − 1/ρ", m.BlockProb(), 1-1/1.2, 1e-9)
	for _, p := range []float64{0.5, 0.99, 0.999} {
		if q := m.ResponseQuantile(p); !(q > 0 && finite(q)) {
			t.Errorf("T_%g = %g", p, q)
		}
	}
}

// sheetResponseTail evaluates docs/queueing.md §3's formula literally with gonum's
// regularised incomplete gamma functions (independent of the single-series
// rearrangement in MMCK.ResponseTail):
// e^{−μt}Σ_{n<c}π_n/(1−π_K) + Σ_k w_k[Q(k, cμt) + e^{−μt}(c/(c−1))^k P(k, (c−1)μt)],
// with Q(k+1, μt) for c = 1.
func sheetResponseTail(m *MMCK, mu float64, c, k int, t float64) (resp, wait float64) {
	adm := 1 - m.BlockProb()
	for n := 0; n < c; n++ {
		resp += math.Exp(-mu*t) * m.Prob(n) / adm
	}
	cf := float64(c)
	for kk := 1; kk <= k-c; kk++ {
		w := m.Prob(c+kk-1) / adm
		q := mathext.GammaIncRegComp(float64(kk), cf*mu*t)
		wait += w * q
		if c == 1 {
			resp += w * mathext.GammaIncRegComp(float64(kk+1), mu*t)
		} else {
			resp += w * (q + math.Exp(-mu*t)*math.Pow(cf/(cf-1), float64(kk))*mathext.GammaIncReg(float64(kk), (cf-1)*mu*t))
		}
	}
	return resp, wait
}

func TestMMCKTailsAgainstIncompleteGamma(t *testing.T) {
	for _, tt := range []struct {
		lambda float64
		c, k   int
	}{{900, 8, 16}, {700, 8, 16}, {90, 1, 10}, {150, 1, 40}, {250, 3, 3}, {250, 3, 12}, {900, 11, 33}, {2000, 2, 20}} {
		m := mustMMCK(t, tt.lambda, 100, tt.c, tt.k)
		for _, x := range []float64{1e-4, 0.003, 0.01, 0.03, 0.06, 0.1, 0.3} {
			resp, wait := sheetResponseTail(m, 100, tt.c, tt.k, x)
			checkRel(t, "P(T>t|adm)", m.ResponseTail(x), resp, 1e-10)
			if wait > 1e-290 {
				checkRel(t, "P(Wq>t|adm)", m.WaitTail(x), wait, 1e-10)
			}
		}
	}
}

func TestMMCKApproachesMMC(t *testing.T) {
	// For ρ < 1, M/M/c/K → M/M/c as K → ∞ (blocking ~ ρ^K vanishes).
	mmc := mustMMC(t, 750, 100, 8)
	m := mustMMCK(t, 750, 100, 8, 3000)
	checkRel(t, "P(wait)", m.WaitProb(), mmc.WaitProb(), 1e-12)
	checkRel(t, "E[T]", m.MeanResponse(), mmc.MeanResponse(), 1e-12)
	for _, x := range []float64{0.001, 0.02, 0.1, 0.5} {
		checkRel(t, "P(T>t)", m.ResponseTail(x), mmc.ResponseTail(x), 1e-10)
		checkRel(t, "P(Wq>t)", m.WaitTail(x), mmc.WaitTail(x), 1e-10)
	}
	checkRel(t, "T_p99.9", m.ResponseQuantile(0.999), mmc.ResponseQuantile(0.999), 1e-10)
}

func TestMMCKMeansByIntegratingTails(t *testing.T) {
	// E[T | adm] = ∫ P(T > t | adm) dt, independently by gonum quadrature.
	for _, tt := range []struct {
		lambda float64
		c, k   int
	}{{900, 8, 16}, {50, 1, 10}, {2000, 2, 20}} {
		m := mustMMCK(t, tt.lambda, 100, tt.c, tt.k)
		checkRel(t, "∫P(T>t)", integrate(m.ResponseTail, 0, 0.5)+integrate(m.ResponseTail, 0.5, 2), m.MeanResponse(), 1e-9)
		checkRel(t, "∫P(Wq>t)", integrate(m.WaitTail, 0, 0.5)+integrate(m.WaitTail, 0.5, 2), m.MeanWait(), 1e-9)
	}
}

func TestMMCKQuantilesInvertTails(t *testing.T) {
	m := mustMMCK(t, 900, 100, 8, 16)
	for _, p := range []float64{0.01, 0.5, 0.99, 0.99999} {
		checkRel(t, "tail(T_p)", m.ResponseTail(m.ResponseQuantile(p)), 1-p, 1e-9)
	}
	for _, p := range []float64{0, 1, math.NaN()} {
		if !math.IsNaN(m.ResponseQuantile(p)) || !math.IsNaN(m.WaitQuantile(p)) {
			t.Errorf("quantile(%g) should be NaN", p)
		}
	}
	if m.ResponseTail(0) != 1 || m.ResponseTail(-1) != 1 || m.WaitTail(-1) != 1 {
		t.Error("tails at t ≤ 0")
	}
}

func TestErlangPlusExpTail(t *testing.T) {
	// P(Erlang(q, cμ) + Exp(μ) > t): the sheet's formula with gonum's
	// incomplete gamma, Q(q, cμt) + e^{−μt}(c/(c−1))^q P(q, (c−1)μt).
	for _, c := range []int{2, 8, 11} {
		for _, q := range []int{1, 4, 30} {
			for _, x := range []float64{0.01, 0.05, 0.2} {
				cf := float64(c)
				want := mathext.GammaIncRegComp(float64(q), cf*100*x) +
					math.Exp(-100*x)*math.Pow(cf/(cf-1), float64(q))*mathext.GammaIncReg(float64(q), (cf-1)*100*x)
				checkRel(t, "Erlang+Exp tail", ErlangPlusExpTail(q, c, 100, x), want, 1e-10)
			}
		}
	}
	// c = 1: Erlang(q+1, μ).
	checkRel(t, "c=1", ErlangPlusExpTail(3, 1, 100, 0.05), mathext.GammaIncRegComp(4, 5), 1e-12)
}

func TestPoissonMixLarge(t *testing.T) {
	// Q(k, x) for large k and x, against gonum's regularised incomplete gamma.
	for _, tt := range []struct{ k, x float64 }{{5000, 5000}, {5000, 4800}, {100, 80}, {1, 1e-3}, {3000, 3200}, {1e6, 1e6 - 700}, {20, 400}} {
		k := int(tt.k)
		got := poissonMix(tt.x, k-1, true, func(j int) float64 {
			if j < k {
				return 1
			}
			return 0
		})
		checkRel(t, "Q(k,x)", got, mathext.GammaIncRegComp(tt.k, tt.x), 1e-9)
	}
}

func TestNewMMCKInvalid(t *testing.T) {
	for _, tt := range []struct {
		lambda, mu float64
		c, k       int
	}{{1, 1, 0, 1}, {1, 1, 3, 2}, {-1, 1, 1, 1}, {1, 0, 1, 1}, {math.NaN(), 1, 1, 1}, {1, math.Inf(1), 1, 1}, {1, 1, 1, maxCapacity + 1}} {
		if _, err := NewMMCK(tt.lambda, tt.mu, tt.c, tt.k); err == nil {
			t.Errorf("NewMMCK(%g, %g, %d, %d) succeeded", tt.lambda, tt.mu, tt.c, tt.k)
		}
	}
	// The offered load is bounded at 1e15 Erlangs, inclusive.
	if _, err := NewMMCK(1e15, 1, 1, 1); err != nil {
		t.Errorf("a = 1e15: %v", err)
	}
	if _, err := NewMMCK(math.Nextafter(1e15, 2e15), 1, 1, 1); err == nil {
		t.Error("a just above 1e15 accepted")
	}
	m := mustMMCK(t, 0, 100, 2, 5) // no load
	if m.BlockProb() != 0 || m.MeanResponse() != 0.01 || m.WaitProb() != 0 {
		t.Errorf("idle M/M/2/5: block %g, W %g, P(wait) %g", m.BlockProb(), m.MeanResponse(), m.WaitProb())
	}
}
