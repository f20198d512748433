package main

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/sizing"
)

// sizeOptions is everything `size` takes from its flags, as given.
type sizeOptions struct {
	Rate           float64 // --rate, requests/s
	ServiceTime    string  // --service-time: "10ms", or a distribution "lognormal:10ms,0.5"
	ServiceSCV     float64 // --service-scv (with a plain --service-time)
	Arrival        string  // --arrival poisson|uniform
	ArrivalSCV     float64 // --arrival-scv: a measured ca², instead of --arrival
	SLO            string  // --slo 'p99<50ms'
	MaxReject      string  // --max-reject: fraction or percentage
	MaxUtilization string  // --max-utilization: fraction or percentage
	Workers        int     // --workers: size only the queue for this many workers
	From           string  // --from RESULT.json: rate, service time and arrival SCV from a saved run
	Seed           uint64  // --seed of the simulations
	SimArrivals    int     // --sim-arrivals per simulation
	JSON           bool    // --json
	Mechanism      string  // --mechanism: how the server sheds (sizeshed.go)

	// changed reports whether a flag was given on the command line.
	changed func(name string) bool
	// fromNotes say where --from's inputs came from (printed with the text).
	fromNotes []string
}

// Defaults of size.
const (
	sizeDefaultMaxReject   = "0.1%"
	sizeDefaultSimArrivals = 200_000
)

func (o *sizeOptions) addFlags(fs *pflag.FlagSet) {
	fs.Float64Var(&o.Rate, "rate", 0, "offered arrival rate, requests per second")
	fs.StringVar(&o.ServiceTime, "service-time", "", "mean service time of one request on one worker (10ms), or a distribution: exp:10ms, det:10ms, lognormal:10ms,0.5")
	fs.Float64Var(&o.ServiceSCV, "service-scv", 1, "squared coefficient of variation of the service time: 0 constant, 1 exponential, other values lognormal")
	fs.StringVar(&o.Arrival, "arrival", "poisson", "arrival process of the load: poisson or uniform (evenly spaced)")
	fs.Float64Var(&o.ArrivalSCV, "arrival-scv", 1, "measured SCV of the inter-arrival times, instead of --arrival (0 uniform, 1 Poisson)")
	fs.StringVar(&o.SLO, "slo", "", "latency objective for admitted requests, pNN<DURATION: p99<50ms")
	fs.StringVar(&o.MaxReject, "max-reject", sizeDefaultMaxReject, "largest acceptable ratio of rejected (503) requests, a fraction or a percentage")
	fs.StringVar(&o.MaxUtilization, "max-utilization", "1", "ceiling on the offered utilisation λ·E[S]/c, a fraction or a percentage (1: only ρ < 1)")
	fs.IntVar(&o.Workers, "workers", 0, "keep this many workers and size only the queue")
	fs.StringVar(&o.From, "from", "", "take the rate (peak achieved), service time (Server-Timing, else estimated) and arrival SCV from a saved result; flags override them")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the simulations (non-Poisson arrivals or non-exponential service)")
	fs.IntVar(&o.SimArrivals, "sim-arrivals", sizeDefaultSimArrivals, "arrivals per simulation")
	fs.BoolVar(&o.JSON, "json", false, "print the recommendation as JSON")
	fs.StringVar(&o.Mechanism, "mechanism", "", "how the server sheds load: bounded-queue (workers and queue, the default), queue-timeout (workers and the timeout), rate-limit (the rate --workers serve within the SLO); with --from, the one recognised")
}

const sizeLong = `Recommend the number of workers and the queue (buffer) size of a server from
the offered rate, the service-time distribution and a latency objective.

The answer is the smallest worker count c, with utilisation ρ = λ·E[S]/c
below 1 and --max-utilization, for which some system capacity
K = c + queue slots keeps the reject ratio at or under --max-reject and the
SLO percentile of admitted requests at or under the SLO, with K inside the
latency budget (queue slots ≤ c·(SLO − E[S])/E[S]: the last request admitted
waits about that long). The queue is the smallest such K: more only adds
latency. The search starts at Halfin–Whitt square-root staffing.

Poisson arrivals with exponential service are solved exactly (M/M/c/K).
Anything else (--arrival uniform, --arrival-scv, --service-scv other than 1,
a det: or lognormal: --service-time) is decided by a seeded discrete-event
simulation of the G/G/c/K queue, and the predictions carry 95% batch-means
intervals. Objectives that cannot be met are explained (exit 1): the service
time alone breaking the SLO, or an overload no queue can absorb.

"queue" is the number of waiting slots, what 'bploadgen target --queue'
takes; K in the text output is the system capacity including the workers.

` + exitCodeHelp

func newSizeCmd(e *env, runF func(*sizeOptions) error) *cobra.Command {
	opts := &sizeOptions{}
	cmd := &cobra.Command{
		Use:   "size --rate R --service-time S --slo 'p99<50ms'",
		Short: "Recommend worker count and queue size for a rate, a service time and an SLO",
		Long:  sizeLong,
		Example: `  bploadgen size --rate 900 --service-time 10ms --slo 'p99<50ms'
  bploadgen size --rate 900 --service-time 10ms --service-scv 0.284 --arrival uniform --slo 'p99<50ms'
  bploadgen size --rate 900 --service-time lognormal:10ms,0.5 --slo 'p99.9<80ms' --max-reject 1% --json
  bploadgen size --rate 900 --service-time 10ms --slo 'p99<50ms' --workers 10`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.changed = cmd.Flags().Changed
			if runF != nil {
				return runF(opts)
			}
			return sizeRun(e, opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// sizeRun validates the options, sizes, and prints. Exit codes: 2 for invalid
// input, 1 when no configuration meets the objectives.
func sizeRun(e *env, o *sizeOptions) error {
	if mech, err := o.sizeMechanism(); err != nil || mech != "" {
		if err != nil {
			return err
		}
		return sizeShedRun(e, o, mech)
	}
	spec, err := o.spec()
	if err != nil {
		return err
	}
	z, err := sizing.Size(spec, rand.New(rand.NewPCG(o.Seed, 0)))
	if err != nil {
		return usageError("size: %v", err)
	}
	out := report.Sizing{Spec: spec, Result: z, SLO: o.SLO, Seed: o.Seed, From: o.From, FromNotes: o.fromNotes}
	if o.JSON {
		err = report.WriteSizingJSON(e.stdout, out)
	} else {
		err = report.WriteSizingText(e.stdout, out)
	}
	if err != nil {
		return runFailed(fmt.Errorf("size: %w", err))
	}
	if !z.Feasible {
		return &codedError{code: exitAssertFail, err: fmt.Errorf("size: the objectives cannot be met: %s", z.Reason)}
	}
	return nil
}

// given reports whether a flag was set on the command line.
func (o *sizeOptions) given(name string) bool { return o.changed != nil && o.changed(name) }

// spec turns the flags into a sizing problem, or a usage error.
func (o *sizeOptions) spec() (sizing.Spec, error) {
	var s sizing.Spec
	var fromSvc *dist.Dist
	fromSCV := -1.0
	if o.From != "" {
		r, err := result.ReadFile(o.From)
		if err != nil {
			return s, usageError("size --from: %v", err)
		}
		rate, svc, scv, notes, err := analysis.SizeInputs(r)
		if err != nil {
			return s, usageError("size --from %s: %v", o.From, err)
		}
		if !o.given("rate") {
			o.Rate = rate
			o.changed = orGiven(o.changed, "rate")
		}
		fromSvc, fromSCV = &svc, scv
		o.fromNotes = notes
	}
	if !o.given("rate") || !(o.Rate > 0) || math.IsInf(o.Rate, 0) {
		return s, usageError("size: --rate must be a number of requests per second > 0")
	}
	s.Rate = o.Rate
	switch {
	case o.ServiceTime == "" && fromSvc != nil:
		s.Service = *fromSvc
	case o.ServiceTime == "":
		return s, usageError("size: --service-time is required (10ms, or exp:10ms, det:10ms, lognormal:10ms,0.5)")
	default:
		svc, err := sizeParseService(o.ServiceTime, o.ServiceSCV, o.given("service-scv"))
		if err != nil {
			return s, err
		}
		s.Service = svc
	}
	var err error
	switch {
	case fromSCV >= 0 && !o.given("arrival") && !o.given("arrival-scv"):
		s.ArrivalSCV = fromSCV
	case o.given("arrival") && o.given("arrival-scv"):
		return s, usageError("size: give --arrival or --arrival-scv, not both")
	case o.given("arrival-scv"):
		if !(o.ArrivalSCV >= 0) || o.ArrivalSCV > 100 {
			return s, usageError("size: --arrival-scv must be a number in [0, 100], got %g", o.ArrivalSCV)
		}
		s.ArrivalSCV = o.ArrivalSCV
	default:
		switch strings.ToLower(o.Arrival) {
		case "poisson":
			s.ArrivalSCV = 1
		case "uniform":
			s.ArrivalSCV = 0
		default:
			return s, usageError("size: --arrival must be poisson or uniform, got %q", o.Arrival)
		}
	}
	if o.SLO == "" {
		return s, usageError("size: --slo is required, e.g. --slo 'p99<50ms'")
	}
	if s.SLO, err = sizeParseSLO(o.SLO); err != nil {
		return s, usageError("size: --slo: %v", err)
	}
	if s.MaxReject, err = assert.ParseFraction(o.MaxReject); err != nil || !(s.MaxReject > 0 && s.MaxReject < 1) {
		return s, usageError("size: --max-reject must be a fraction or percentage in (0, 1), like 0.1%% or 0.001; got %q", o.MaxReject)
	}
	if s.MaxUtilization, err = assert.ParseFraction(o.MaxUtilization); err != nil || !(s.MaxUtilization > 0 && s.MaxUtilization <= 1) {
		return s, usageError("size: --max-utilization must be a fraction or percentage in (0, 1], like 0.85 or 85%%; got %q", o.MaxUtilization)
	}
	if o.Workers < 0 {
		return s, usageError("size: --workers must be ≥ 1 (or 0 to search), got %d", o.Workers)
	}
	s.Workers = o.Workers
	s.SimArrivals = o.SimArrivals
	return s, nil
}

// sizeParseService reads --service-time: a plain duration (with --service-scv
// choosing the family) or a distribution spec as `target --service` takes.
func sizeParseService(v string, scv float64, scvGiven bool) (dist.Dist, error) {
	if strings.Contains(v, ":") {
		if scvGiven {
			return dist.Dist{}, usageError("size: --service-time %q already names a distribution; drop --service-scv", v)
		}
		d, err := dist.Parse(v)
		if err != nil {
			return d, usageError("size: --service-time: %v", err)
		}
		return d, nil
	}
	m, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || m <= 0 {
		return dist.Dist{}, usageError("size: --service-time must be a positive duration like 10ms, or exp:10ms, det:10ms, lognormal:10ms,0.5; got %q", v)
	}
	d, err := dist.FromMeanSCV(m.Seconds(), scv)
	if err != nil {
		return d, usageError("size: --service-scv: %v", err)
	}
	return d, nil
}

// sizeParseSLO reads --slo in the gate grammar of run --assert, as a
// sizing takes it (sizing.SLOFrom): p99<50ms, p99.9 <= 250ms.
func sizeParseSLO(s string) (sizing.SLO, error) {
	e, err := assert.Parse(s)
	var pe *assert.ParseError
	if errors.As(err, &pe) {
		return sizing.SLO{}, fmt.Errorf("%q: %s", pe.Expr, pe.Msg)
	}
	return sizing.SLOFrom(e)
}

// orGiven extends changed so that name counts as given.
func orGiven(changed func(string) bool, name string) func(string) bool {
	return func(n string) bool { return n == name || (changed != nil && changed(n)) }
}
