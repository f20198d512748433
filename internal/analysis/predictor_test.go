package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/queueing"
)

// TestPredictorExact: on the demo's M/M/8/24 result with K given, the
// predictor is the exact M/M/c/K formula at the fitted E[S], at any rate,
// with the measured overhead added to times.
func TestPredictorExact(t *testing.T) {
	t.Parallel()
	r := demoSynth(3).result(t)
	p, err := NewPredictor(r, known)
	if err != nil {
		t.Fatal(err)
	}
	if m := p.Model(); m.Name != "M/M/c/K" || m.Workers != 8 || m.Queue != 16 {
		t.Fatalf("model %+v", m)
	}
	s, hw := p.ServiceMean()
	// Server-Timing pools ~15 000 exponential services: E[S] within a few
	// of its standard errors (σ/√n ≈ 0.8%) of 10 ms, and δS of that order.
	if math.Abs(s-0.010) > 0.0005 || !(hw > 0 && hw < 0.001) {
		t.Errorf("E[S] %g ± %g, want 10ms ± under 1ms", s, hw)
	}
	a := mustAnalyze(t, r, known)
	for _, lambda := range []float64{100, 650, 1234} {
		got, err := p.At(lambda, 0)
		if err != nil {
			t.Fatal(err)
		}
		q, err := queueing.NewMMCK(lambda, 1/s, 8, 24)
		if err != nil {
			t.Fatal(err)
		}
		if got.BlockRatio != q.BlockProb() || !got.HaveBlock || got.BlockLower {
			t.Errorf("λ %g: block %g, M/M/8/24 says %g", lambda, got.BlockRatio, q.BlockProb())
		}
		wantP99 := q.ResponseQuantile(0.99) + a.Overhead.MeanS
		if math.Abs(got.ResponseP99S-wantP99) > 1e-12 || !got.HaveP99 {
			t.Errorf("λ %g: p99 %g, want M/M/8/24's plus the overhead, %g", lambda, got.ResponseP99S, wantP99)
		}
		if math.Abs(got.Utilization-lambda*s/8) > 1e-12 {
			t.Errorf("λ %g: ρ %g", lambda, got.Utilization)
		}
	}
	if c := p.Capacity(); math.Abs(c-8/s) > 1e-9 {
		t.Errorf("capacity %g, want c/E[S] = %g", c, 8/s)
	}
	slow, _ := p.At(650, s+hw)
	base, _ := p.At(650, 0)
	if !(slow.BlockRatio > base.BlockRatio) {
		t.Errorf("a longer E[S] should block more: %g vs %g", slow.BlockRatio, base.BlockRatio)
	}
}

// TestPredictorSimulatedIsSmooth: with uniform arrivals the predictor
// simulates, with the same random numbers at every rate, so the block
// ratio rises with λ without simulation noise reversing it.
func TestPredictorSimulatedIsSmooth(t *testing.T) {
	t.Parallel()
	r := synth{c: 4, k: 8, mean: 0.01, rates: []float64{200, 350}, stageDur: 4, uniform: true, seed: 5}.result(t)
	p, err := NewPredictor(r, ModelSpec{Workers: 4, Queue: 4, QueueKnown: true})
	if err != nil {
		t.Fatal(err)
	}
	if m := p.Model(); m.Name != "G/G/c/K (simulated)" {
		t.Fatalf("model %q", m.Name)
	}
	prev := -1.0
	for lambda := 300.0; lambda <= 500; lambda += 25 {
		got, err := p.At(lambda, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.BlockRatio < prev {
			t.Errorf("block ratio fell from %g to %g at λ %g", prev, got.BlockRatio, lambda)
		}
		prev = got.BlockRatio
	}
}

func TestPredictorWithoutModel(t *testing.T) {
	t.Parallel()
	// No Server-Timing, no saturation, nothing given: no worker count.
	r := synth{c: 8, k: 24, mean: 0.01, rates: []float64{100, 200}, stageDur: 3, noST: true, seed: 2}.result(t)
	_, err := NewPredictor(r, ModelSpec{})
	if err == nil || !strings.Contains(err.Error(), "worker count") {
		t.Errorf("err = %v, want one naming the unknown worker count", err)
	}
	if _, err := NewPredictor(nil, ModelSpec{}); err == nil {
		t.Error("nil result: no error")
	}
}

// TestPredictorSheds: the predictor answers with the mechanism Analyze
// recognised, not with the unbounded queue it would otherwise assume.
// Behind a queue timeout (the HAProxy case of TestRecogniseQueueTimeout)
// it is M/M/c+D, exact at the fitted c, D and E[S], with a steady state
// past c/E[S]; behind a token bucket (nginx limit_req, evenly spaced
// arrivals) it is the bucket's exact refusals at the fitted R and B, and
// its capacity is R.
func TestPredictorSheds(t *testing.T) {
	t.Parallel()
	t.Run("queue timeout", func(t *testing.T) {
		t.Parallel()
		r := synth{c: 4, mean: 0.010, patience: 0.020, rates: []float64{200, 300, 400, 500, 600}, stageDur: 5, overhead: 0.0003, seed: 21}.result(t)
		p, err := NewPredictor(r, ModelSpec{})
		if err != nil {
			t.Fatal(err)
		}
		a := mustAnalyze(t, r, ModelSpec{})
		if m := p.Model(); m.Name != "M/M/c+D" || m.Kendall != a.Model.Kendall || !p.Sheds() {
			t.Fatalf("model %q %q (analysis: %q), sheds %v", m.Name, m.Kendall, a.Model.Kendall, p.Sheds())
		}
		s, _ := p.ServiceMean()
		for _, lambda := range []float64{300, 400, 800} { // ρ 0.75, 1, 2
			got, err := p.At(lambda, 0)
			if err != nil {
				t.Fatal(err)
			}
			q, err := queueing.NewMMCD(lambda, 1/s, a.Shedding.Workers, a.Shedding.QueueTimeoutS)
			if err != nil {
				t.Fatal(err)
			}
			if got.Unstable || !got.HaveBlock || got.BlockRatio != q.AbandonProb() || !got.HaveP99 {
				t.Errorf("λ %g: %+v, want M/M/%d+D's block %g", lambda, got, a.Shedding.Workers, q.AbandonProb())
			}
		}
	})
	t.Run("token bucket", func(t *testing.T) {
		t.Parallel()
		r := synth{c: 8, mean: 0.007, rate: 200, burst: 10, rates: []float64{100, 200, 300, 400, 500}, stageDur: 5, uniform: true, overhead: 0.0003, seed: 22}.result(t)
		p, err := NewPredictor(r, ModelSpec{})
		if err != nil {
			t.Fatal(err)
		}
		rate, hw, burst, _, _, ok := p.Bucket()
		if m := p.Model(); m.Name != "token bucket" || !ok || !p.Sheds() || p.Capacity() != rate {
			t.Fatalf("model %q, bucket %v, capacity %g (rate %g)", m.Name, ok, p.Capacity(), rate)
		}
		if math.Abs(rate-200) > math.Max(hw, 0.05*200) {
			t.Errorf("rate %g ± %g, want 200", rate, hw)
		}
		for _, lambda := range []float64{150, 300, 600} {
			got, err := p.At(lambda, 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := queueing.TokenBucketUniform(lambda, rate, burst); !got.HaveBlock || got.BlockRatio != want {
				t.Errorf("λ %g: block %g, want the bucket's %g", lambda, got.BlockRatio, want)
			}
			if got.HaveP99 || got.HaveMean {
				t.Errorf("λ %g: times predicted behind a rate limit: %+v", lambda, got)
			}
		}
		// A bucket half as fast refuses more at the same rate.
		slow, _ := p.WithBucket(rate/2, burst).At(300, 0)
		base, _ := p.At(300, 0)
		if !(slow.BlockRatio > base.BlockRatio) {
			t.Errorf("R/2 refuses %g, R %g", slow.BlockRatio, base.BlockRatio)
		}
	})
}
