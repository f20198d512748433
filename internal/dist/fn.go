package dist

import (
	"fmt"
	"math"
)

// FromMeanSCV returns the service-time distribution bploadgen assumes for a
// mean (seconds, > 0) and an SCV (≥ 0): deterministic for SCV 0, exponential
// for SCV 1, otherwise lognormal with σ = √ln(1+SCV), since a lognormal's SCV
// is exp(σ²) − 1 (docs/queueing.md §4, SCV table).
func FromMeanSCV(mean, scv float64) (Dist, error) {
	if err := positive("mean service time", mean); err != nil {
		return Dist{}, err
	}
	if err := nonNegative("service SCV", scv); err != nil {
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

// Validate returns an error unless d has a known kind, a finite mean > 0
// and, for a lognormal, σ in (0, 10].
func (d Dist) Validate() error {
	if err := positive("mean service time", d.Mean); err != nil {
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

// logMu is the lognormal's log-mean μ_log = ln(mean) − σ²/2 (docs/queueing.md §4).
func (d Dist) logMu() float64 { return math.Log(d.Mean) - d.Sigma*d.Sigma/2 }

// Tail is P(S > t), t in seconds.
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
// Lognormal: exp(μ_log + z_p·σ) (docs/queueing.md §4).
func (d Dist) Quantile(p float64) float64 {
	if !(p > 0 && p < 1) {
		return math.NaN()
	}
	switch d.Kind {
	case Deterministic:
		return d.Mean
	case Lognormal:
		return math.Exp(d.logMu() + d.Sigma*NormalQuantile(p))
	default:
		return -d.Mean * math.Log1p(-p)
	}
}

// NormalQuantile is the standard normal quantile Φ⁻¹(p) = √2·erfinv(2p − 1),
// p in (0, 1).
func NormalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// NormalCDF is the standard normal distribution function Φ(z).
func NormalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// NormalPDF is the standard normal density φ(z).
func NormalPDF(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }

// ExpPlusTail is P(E + S > t) for E ~ Exp(theta) (rate theta per second)
// independent of S ~ d, t in seconds:
// P(S > t) + ∫_0^t f_S(s)·e^{−θ(t−s)} ds. Closed forms for exponential and
// deterministic S; for a lognormal the integral is taken in z = (ln s −
// μ_log)/σ, where it is a smooth Gaussian-weighted integrand, by adaptive
// Simpson quadrature (docs/queueing.md §4 "Tails for G/G/c").
func (d Dist) ExpPlusTail(theta, t float64) float64 {
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
			return NormalPDF(z) * math.Exp(-theta*(t-math.Exp(mu+sig*z)))
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
