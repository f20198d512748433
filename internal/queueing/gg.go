package queueing

import (
	"fmt"
	"math"
)

// GG describes a G/G/c queue by the first two moments of its inter-arrival
// and service times, the inputs of the mean-wait approximations of
// docs/queueing.md §4. Pass the MEASURED arrival SCV where you have one: timer
// jitter makes "uniform" arrivals slightly variable (§4, last paragraph).
type GG struct {
	Lambda      float64 // arrival rate λ, requests/s, > 0
	Servers     int     // c ≥ 1
	MeanService float64 // E[S], seconds, > 0
	ArrivalSCV  float64 // ca² = Var/mean² of inter-arrival times (0 uniform, 1 Poisson)
	ServiceSCV  float64 // cs² of service times (0 det, 1 exp, exp(σ²)−1 lognormal)
}

// Load is the offered load a = λ·E[S] in Erlangs.
func (q GG) Load() float64 { return q.Lambda * q.MeanService }

// Utilization is ρ = λ·E[S]/c.
func (q GG) Utilization() float64 { return q.Load() / float64(q.Servers) }

// validate checks the parameters and stability (ρ < 1).
func (q GG) validate() error {
	if err := checkPositive("arrival rate", q.Lambda); err != nil {
		return err
	}
	if err := checkPositive("mean service time", q.MeanService); err != nil {
		return err
	}
	if err := checkNonNegative("arrival SCV", q.ArrivalSCV); err != nil {
		return err
	}
	if err := checkNonNegative("service SCV", q.ServiceSCV); err != nil {
		return err
	}
	if q.Servers < 1 || q.Servers > maxCapacity {
		return fmt.Errorf("workers must be in [1, %d], got %d", maxCapacity, q.Servers)
	}
	if rho := q.Utilization(); !(rho < 1) {
		return fmt.Errorf("G/G/%d with ρ=%.4g: %w", q.Servers, rho, ErrUnstable)
	}
	return nil
}

// mmcWait is E[Wq] of the M/M/c queue with the same λ, E[S] and c.
func (q GG) mmcWait() float64 {
	c := float64(q.Servers)
	return ErlangC(q.Servers, q.Load()) / (c/q.MeanService - q.Lambda)
}

// Kingman is the Kingman (1961) "VUT" approximation of E[Wq] for a single
// server (Servers must be 1):
//
//	E[Wq] ≈ ρ/(1−ρ) · (ca²+cs²)/2 · E[S]
//
// Exact for M/G/1 (Pollaczek–Khinchine); poor at low load when ca² < 1.
// Source: docs/queueing.md §4; Kingman, Proc. Camb. Phil. Soc. 57:902–904, 1961.
func Kingman(q GG) (float64, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	if q.Servers != 1 {
		return 0, fmt.Errorf("Kingman is a single-server formula, got %d workers (use AllenCunneen or Whitt)", q.Servers)
	}
	rho := q.Utilization()
	return rho / (1 - rho) * (q.ArrivalSCV + q.ServiceSCV) / 2 * q.MeanService, nil
}

// AllenCunneen is the Allen–Cunneen approximation of E[Wq] for G/G/c:
//
//	E[Wq] ≈ C(c, a)/(cμ − λ) · (ca²+cs²)/2
//
// Exact for M/M/c, equal to Kingman for c = 1; over-predicts by 27–43% for
// ca² < 1 and c > 1. Source: docs/queueing.md §4; A.O. Allen, Probability,
// Statistics, and Queueing Theory, 2nd ed., 1990.
func AllenCunneen(q GG) (float64, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	return q.mmcWait() * (q.ArrivalSCV + q.ServiceSCV) / 2, nil
}

// KLBFactor is the Krämer–Langenbach-Belz correction g by which Kingman or
// Allen–Cunneen is multiplied (docs/queueing.md §4; ITC-8, 1976; LINE solver
// qsys_gig1_approx_klb):
//
//	ca² ≤ 1: g = exp(−2(1−ρ)(1−ca²)² / (3ρ(ca²+cs²)))
//	ca² > 1: g = exp(−(1−ρ)(ca²−1) / (ca²+4cs²))
func KLBFactor(rho, ca2, cs2 float64) float64 {
	if ca2+cs2 == 0 {
		return 1
	}
	if ca2 <= 1 {
		return math.Exp(-2 * (1 - rho) * (1 - ca2) * (1 - ca2) / (3 * rho * (ca2 + cs2)))
	}
	return math.Exp(-(1 - rho) * (ca2 - 1) / (ca2 + 4*cs2))
}

// KLB is Allen–Cunneen (Kingman for c = 1) times KLBFactor: near-exact for
// D/M/1, only a partial fix for c > 1 (docs/queueing.md §4).
func KLB(q GG) (float64, error) {
	ac, err := AllenCunneen(q)
	if err != nil {
		return 0, err
	}
	return ac * KLBFactor(q.Utilization(), q.ArrivalSCV, q.ServiceSCV), nil
}

// Whitt is Whitt's (1993) GI/G/m approximation of E[Wq]:
// E[Wq] ≈ φ(ρ, ca², cs², c)·(ca²+cs²)/2·E[Wq]_{M/M/c}, with φ as written in
// docs/queueing.md §4 (coefficients from KSL's GGcWhittApproximation, validated
// there by simulation: 0% for D/M/8, +5% for D/LN/8, where Allen–Cunneen is
// +37% and +43%). It is the recommended G/G/c mean. Source: W. Whitt,
// "Approximations for the GI/G/m queue", Production and Operations
// Management 2(2):114–161, 1993.
func Whitt(q GG) (float64, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	ca2, cs2 := q.ArrivalSCV, q.ServiceSCV
	if ca2+cs2 == 0 {
		return 0, nil // D/D/c with ρ < 1 never waits
	}
	return whittPhi(q.Utilization(), ca2, cs2, q.Servers) * (ca2 + cs2) / 2 * q.mmcWait(), nil
}

// whittPhi is Whitt's correction φ (docs/queueing.md §4).
func whittPhi(rho, ca2, cs2 float64, c int) float64 {
	m := float64(c)
	gamma := math.Min(0.24, (1-rho)*(m-1)*(math.Sqrt(4+5*m)-2)/(16*m*rho))
	phi1 := 1 + gamma
	phi2 := 1 - 4*gamma
	phi3 := phi2 * math.Exp(-2*(1-rho)/(3*rho))
	phi4 := math.Min(1, (phi1+phi3)/2)
	psi := func(x float64) float64 {
		if x >= 1 {
			return 1
		}
		return math.Pow(phi4, 2*(1-x))
	}
	mid := (ca2 + cs2) / 2
	switch {
	case ca2 >= cs2:
		den := 4*ca2 - 3*cs2
		return 4*(ca2-cs2)/den*phi1 + cs2/den*psi(mid)
	case ca2 == 0:
		return phi3
	default:
		den := 2*ca2 + 2*cs2
		return (cs2-ca2)/den*phi3 + (cs2+3*ca2)/den*psi(mid)
	}
}

// Sakasegawa is the Sakasegawa (1977) / Hopp–Spearman approximation
//
//	E[Wq] ≈ (ca²+cs²)/2 · ρ^{√(2(c+1))−1}/(c(1−ρ)) · E[S]
//
// Simple, 3% off for M/M/8 and about 30% high for uniform arrivals
// (docs/queueing.md §4; H. Sakasegawa, Ann. Inst. Statist. Math. 29:67–75, 1977).
func Sakasegawa(q GG) (float64, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	rho, c := q.Utilization(), float64(q.Servers)
	return (q.ArrivalSCV + q.ServiceSCV) / 2 * math.Pow(rho, math.Sqrt(2*(c+1))-1) / (c * (1 - rho)) * q.MeanService, nil
}
