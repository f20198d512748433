package queueing

import (
	"fmt"
	"math"
)

// DistFromMeanSCV returns the service-time distribution bploadgen assumes for
// a mean (seconds, > 0) and an SCV (≥ 0): deterministic for SCV 0,
// exponential for SCV 1, otherwise lognormal with σ = √ln(1+SCV), since a
// lognormal's SCV is exp(σ²) − 1 (queueing.md §4 SCV table).
func DistFromMeanSCV(mean, scv float64) (Dist, error) {
	if err := checkPositive("mean service time", mean); err != nil {
		return Dist{}, err
	}
	if err := checkNonNegative("service SCV", scv); err != nil {
		return Dist{}, err
	}
	switch {
	case scv == 0:
		return Dist{Kind: Deterministic, Mean: mean}, nil
	case scv == 1:
		return Dist{Kind: Exponential, Mean: mean}, nil
	default:
		s := math.Sqrt(math.Log1p(scv))
		if !(s <= 10) {
			return Dist{}, fmt.Errorf("service SCV %g is too large (lognormal σ would exceed 10)", scv)
		}
		return Dist{Kind: Lognormal, Mean: mean, Sigma: s}, nil
	}
}

// valid reports whether d has a usable mean (and σ for a lognormal).
func (d Dist) valid() error {
	if err := checkPositive("mean service time", d.Mean); err != nil {
		return err
	}
	switch d.Kind {
	case Exponential, Deterministic:
		return nil
	case Lognormal:
		if !(d.Sigma > 0 && d.Sigma <= 10) {
			return fmt.Errorf("lognormal σ must be in (0, 10], got %g", d.Sigma)
		}
		return nil
	default:
		return fmt.Errorf("unknown distribution kind %d", d.Kind)
	}
}

// Kendall is the distribution's letter in Kendall notation: M, D or LN.
func (d Dist) Kendall() string {
	switch d.Kind {
	case Deterministic:
		return "D"
	case Lognormal:
		return "LN"
	default:
		return "M"
	}
}

// logMu is the lognormal's log-mean μ_log = ln(mean) − σ²/2 (queueing.md §4).
func (d Dist) logMu() float64 { return math.Log(d.Mean) - d.Sigma*d.Sigma/2 }

// Tail is P(S > t).
func (d Dist) Tail(t float64) float64 {
	if t <= 0 {
		return 1
	}
	switch d.Kind {
	case Deterministic:
		if t < d.Mean {
			return 1
		}
		return 0
	case Lognormal:
		return 0.5 * math.Erfc((math.Log(t)-d.logMu())/(d.Sigma*math.Sqrt2))
	default:
		return math.Exp(-t / d.Mean)
	}
}

// Quantile is the p-quantile of S in seconds, p in (0, 1) (else NaN).
// Lognormal: exp(μ_log + z_p·σ) (queueing.md §4).
func (d Dist) Quantile(p float64) float64 {
	if !(p > 0 && p < 1) {
		return math.NaN()
	}
	switch d.Kind {
	case Deterministic:
		return d.Mean
	case Lognormal:
		return math.Exp(d.logMu() + d.Sigma*normalQuantile(p))
	default:
		return -d.Mean * math.Log1p(-p)
	}
}

// normalQuantile is Φ^{-1}(p) = √2·erfinv(2p − 1).
func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// normalCDF is Φ(z).
func normalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// normalPDF is φ(z).
func normalPDF(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }

// expPlusTail is P(E + S > t) for E ~ Exp(theta) independent of S ~ d:
// P(S > t) + ∫_0^t f_S(s)·e^{−θ(t−s)} ds. Closed forms for exponential and
// deterministic S; for a lognormal the integral is taken in z = (ln s −
// μ_log)/σ, where it is a smooth Gaussian-weighted integrand, by adaptive
// Simpson quadrature (queueing.md §4 "Tails for G/G/c").
func (d Dist) expPlusTail(theta, t float64) float64 {
	if t <= 0 {
		return 1
	}
	switch d.Kind {
	case Deterministic:
		if t < d.Mean {
			return 1
		}
		return math.Exp(-theta * (t - d.Mean))
	case Lognormal:
		mu, sig := d.logMu(), d.Sigma
		zt := (math.Log(t) - mu) / sig
		const zlo = -9 // Φ(−9) ≈ 1e-19
		if zt <= zlo {
			return 1
		}
		g := func(z float64) float64 {
			return normalPDF(z) * math.Exp(-theta*(t-math.Exp(mu+sig*z)))
		}
		return math.Min(1, d.Tail(t)+adaptiveSimpson(g, zlo, zt, 1e-13))
	default:
		// μ·h(t) of the M/M/c response tail, with θ in place of cμ − λ.
		m := 1 / d.Mean
		var h float64
		if dd := math.Abs(theta - m); dd == 0 {
			h = t * math.Exp(-m*t)
		} else {
			h = math.Exp(-math.Min(m, theta)*t) * -math.Expm1(-dd*t) / dd
		}
		return math.Min(1, math.Exp(-m*t)+m*h)
	}
}
