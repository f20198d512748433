package sizing

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/dist"
)

// Defaults of a sizing problem as a person gives it: the largest
// acceptable reject ratio, and the arrivals per simulation (also what
// Recommend uses when a Spec has none).
const (
	DefaultMaxReject   = "0.1%"
	DefaultSimArrivals = 200_000
)

// Input is a sizing problem as a person gives it (the size command's
// flags): numbers, and text in the notations of docs/cli.md. Spec checks
// it and resolves it into a Spec. The settings are named rate,
// service_time, service_scv, arrival, arrival_scv, slo, max_reject,
// max_utilization and workers.
type Input struct {
	Rate           float64 // offered rate, requests/s
	ServiceTime    string  // "10ms" (ServiceSCV chooses the family) or a distribution "lognormal:10ms,0.5"
	ServiceSCV     float64 // with a plain ServiceTime
	Arrival        string  // poisson or uniform
	ArrivalSCV     float64 // a measured ca², instead of Arrival (read when given)
	SLO            string  // "p99<50ms", in the gate grammar (ParseSLO)
	MaxReject      string  // a fraction or a percentage, in (0, 1)
	MaxUtilization string  // a fraction or a percentage, in (0, 1]
	Workers        int     // > 0: size only the queue for this many workers
	SimArrivals    int     // arrivals per simulation

	// Measured, if set, is what a saved run says: the rate, the service
	// time and the arrival SCV not given are taken from it.
	Measured *Measured
	// Given reports whether a setting was given (rate, service_scv,
	// arrival and arrival_scv are read only then); nil: none was.
	Given func(setting string) bool
	// Name renders a setting's name in errors ("--max-reject" on a command
	// line); nil: the setting itself.
	Name func(setting string) string
}

// Measured is what a saved run gives a sizing (analysis.SizeInputs).
type Measured struct {
	Rate       float64   // the peak achieved rate, requests/s
	Service    dist.Dist // the service-time distribution
	ArrivalSCV float64   // the arrival SCV at that peak
}

func (in *Input) given(s string) bool { return in.Given != nil && in.Given(s) }

func (in *Input) name(s string) string {
	if in.Name != nil {
		return in.Name(s)
	}
	return s
}

// Spec checks the input and resolves it into a Spec; errors name the
// settings with Name.
func (in *Input) Spec() (Spec, error) {
	var s Spec
	rate, rateGiven := in.Rate, in.given("rate")
	if !rateGiven && in.Measured != nil {
		rate, rateGiven = in.Measured.Rate, true
	}
	if !rateGiven || !(rate > 0) || math.IsInf(rate, 0) {
		return s, fmt.Errorf("%s must be a number of requests per second > 0", in.name("rate"))
	}
	s.Rate = rate
	switch {
	case in.ServiceTime == "" && in.Measured != nil:
		s.Service = in.Measured.Service
	case in.ServiceTime == "":
		return s, fmt.Errorf("%s is required (%s)", in.name("service_time"), dist.TimeForms)
	default:
		svc, err := in.service()
		if err != nil {
			return s, err
		}
		s.Service = svc
	}
	var err error
	if s.ArrivalSCV, err = in.arrivalSCV(); err != nil {
		return s, err
	}
	if in.SLO == "" {
		return s, fmt.Errorf("%s is required, e.g. %s 'p99<50ms'", in.name("slo"), in.name("slo"))
	}
	if s.SLO, err = ParseSLO(in.SLO); err != nil {
		return s, fmt.Errorf("%s: %v", in.name("slo"), err)
	}
	if s.MaxReject, err = assert.ParseFraction(in.MaxReject); err != nil || !(s.MaxReject > 0 && s.MaxReject < 1) {
		return s, fmt.Errorf("%s must be a fraction or percentage in (0, 1), like 0.1%% or 0.001; got %q", in.name("max_reject"), in.MaxReject)
	}
	if s.MaxUtilization, err = assert.ParseFraction(in.MaxUtilization); err != nil || !(s.MaxUtilization > 0 && s.MaxUtilization <= 1) {
		return s, fmt.Errorf("%s must be a fraction or percentage in (0, 1], like 0.85 or 85%%; got %q", in.name("max_utilization"), in.MaxUtilization)
	}
	if in.Workers < 0 {
		return s, fmt.Errorf("%s must be ≥ 1 (or 0 to search), got %d", in.name("workers"), in.Workers)
	}
	s.Workers = in.Workers
	s.SimArrivals = in.SimArrivals
	return s, nil
}

// service reads ServiceTime (dist.ParseTime): a distribution, or a plain
// duration whose family ServiceSCV chooses (dist.FromMeanSCV).
func (in *Input) service() (dist.Dist, error) {
	v := in.ServiceTime
	d, named, err := dist.ParseTime(v)
	var te *dist.TimeError
	switch {
	case named && in.given("service_scv"):
		return dist.Dist{}, fmt.Errorf("%s %q already names a distribution; drop %s", in.name("service_time"), v, in.name("service_scv"))
	case errors.As(err, &te):
		return dist.Dist{}, fmt.Errorf("%s must be a positive duration like %s; got %q", in.name("service_time"), dist.TimeForms, v)
	case err != nil:
		return dist.Dist{}, fmt.Errorf("%s: %v", in.name("service_time"), err)
	case named:
		return d, nil
	}
	if d, err = dist.FromMeanSCV(d.Mean, in.ServiceSCV); err != nil {
		return d, fmt.Errorf("%s: %v", in.name("service_scv"), err)
	}
	return d, nil
}

// arrivalSCV is the arrivals' ca²: the measured one unless Arrival or
// ArrivalSCV is given, ArrivalSCV, or Arrival's (Poisson 1, uniform 0).
func (in *Input) arrivalSCV() (float64, error) {
	switch {
	case in.Measured != nil && in.Measured.ArrivalSCV >= 0 && !in.given("arrival") && !in.given("arrival_scv"):
		return in.Measured.ArrivalSCV, nil
	case in.given("arrival") && in.given("arrival_scv"):
		return 0, fmt.Errorf("give %s or %s, not both", in.name("arrival"), in.name("arrival_scv"))
	case in.given("arrival_scv"):
		if !(in.ArrivalSCV >= 0) || in.ArrivalSCV > 100 {
			return 0, fmt.Errorf("%s must be a number in [0, 100], got %g", in.name("arrival_scv"), in.ArrivalSCV)
		}
		return in.ArrivalSCV, nil
	}
	switch strings.ToLower(in.Arrival) {
	case "poisson":
		return 1, nil
	case "uniform":
		return 0, nil
	}
	return 0, fmt.Errorf("%s must be poisson or uniform, got %q", in.name("arrival"), in.Arrival)
}

// ParseSLO reads an SLO in the gate grammar of run --assert, as a sizing
// takes it (SLOFrom): p99<50ms, p99.9 <= 250ms. Errors quote it.
func ParseSLO(s string) (SLO, error) {
	e, err := assert.Parse(s)
	var pe *assert.ParseError
	if errors.As(err, &pe) {
		return SLO{}, fmt.Errorf("%q: %s", pe.Expr, pe.Msg)
	}
	return SLOFrom(e)
}
