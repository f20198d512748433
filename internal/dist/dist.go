package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Kind names a distribution family.
type Kind int

// The distribution families bploadgen knows.
const (
	Exponential   Kind = iota // exp:MEAN, SCV 1
	Deterministic             // det:MEAN, SCV 0
	Lognormal                 // lognormal:MEAN,SIGMA, SCV exp(σ²)−1
)

// Dist is a distribution of a positive duration (a service time or an
// inter-arrival gap) with mean Mean seconds. Sigma is the
// log-standard-deviation of a Lognormal and unused otherwise.
type Dist struct {
	Kind  Kind
	Mean  float64 // seconds, > 0
	Sigma float64 // lognormal only, > 0
}

// SCV is the squared coefficient of variation Var/mean².
func (d Dist) SCV() float64 {
	switch d.Kind {
	case Deterministic:
		return 0
	case Lognormal:
		return math.Expm1(d.Sigma * d.Sigma)
	default:
		return 1
	}
}

// Sample draws one service time in seconds from r.
func (d Dist) Sample(r *rand.Rand) float64 {
	switch d.Kind {
	case Deterministic:
		return d.Mean
	case Lognormal:
		mu := math.Log(d.Mean) - d.Sigma*d.Sigma/2
		return math.Exp(mu + d.Sigma*r.NormFloat64())
	default:
		return r.ExpFloat64() * d.Mean
	}
}

// String formats d the way Parse reads it.
func (d Dist) String() string {
	ns := math.Round(d.Mean * float64(time.Second))
	m := time.Duration(math.MaxInt64).String() // float64(MaxInt64) would overflow the conversion
	if ns < math.MaxInt64 {
		m = time.Duration(ns).String()
	}
	switch d.Kind {
	case Deterministic:
		return "det:" + m
	case Lognormal:
		return "lognormal:" + m + "," + strconv.FormatFloat(d.Sigma, 'g', -1, 64)
	default:
		return "exp:" + m
	}
}

// Rounded is String for people: the mean rounded to the microsecond and
// SIGMA to 4 significant digits ("lognormal:5ms,0.0772" where String
// gives "lognormal:5.000405ms,0.07720301597471006"), still a spec Parse
// takes.
func (d Dist) Rounded() string {
	r := d
	r.Mean = math.Round(d.Mean*1e6) / 1e6
	if d.Kind == Lognormal {
		r.Sigma, _ = strconv.ParseFloat(strconv.FormatFloat(d.Sigma, 'g', 4, 64), 64)
	}
	return r.String()
}

// Parse reads "exp:MEAN", "det:MEAN" or "lognormal:MEAN,SIGMA", where MEAN
// is a Go duration ("10ms") and SIGMA a number in (0, 10]. It never panics;
// what it accepts passes Validate.
func Parse(s string) (Dist, error) {
	kind, rest, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Dist{}, fmt.Errorf("service %q: want exp:MEAN, det:MEAN or lognormal:MEAN,SIGMA", s)
	}
	var d Dist
	meanStr := rest
	switch strings.ToLower(kind) {
	case "exp":
		d.Kind = Exponential
	case "det":
		d.Kind = Deterministic
	case "lognormal":
		d.Kind = Lognormal
		var sig string
		meanStr, sig, ok = strings.Cut(rest, ",")
		if !ok {
			return Dist{}, fmt.Errorf("service %q: lognormal needs MEAN,SIGMA", s)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(sig), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) || v > 10 {
			return Dist{}, fmt.Errorf("service %q: sigma must be a number in (0, 10]", s)
		}
		d.Sigma = v
	default:
		return Dist{}, fmt.Errorf("service %q: unknown distribution %q (want exp, det or lognormal)", s, kind)
	}
	m, err := time.ParseDuration(strings.TrimSpace(meanStr))
	if err != nil || m <= 0 {
		return Dist{}, fmt.Errorf("service %q: mean must be a positive duration like 10ms", s)
	}
	d.Mean = m.Seconds()
	return d, nil
}
