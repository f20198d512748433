package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/sizing"
)

// sizeOptions is everything `size` takes from its flags: the problem's
// settings are bound straight into sizing.Input.
type sizeOptions struct {
	sizing.Input        // --rate --service-time --service-scv --arrival --arrival-scv --slo --max-reject ...
	From         string // --from RESULT.json: rate, service time and arrival SCV from a saved run
	Seed         uint64 // --seed of the simulations
	JSON         bool   // --json
	Mechanism    string // --mechanism: how the server sheds

	// changed reports whether a flag was given on the command line.
	changed func(name string) bool
	// from is --from's result, read by spec; fromNotes say where its
	// inputs came from (printed with the text).
	from      *result.Result
	fromNotes []string
}

func (o *sizeOptions) addFlags(fs *pflag.FlagSet) {
	fs.Float64Var(&o.Rate, "rate", 0, "offered arrival rate, requests per second")
	fs.StringVar(&o.ServiceTime, "service-time", "", "mean service time of one request on one worker (10ms), or a distribution: exp:10ms, det:10ms, lognormal:10ms,0.5")
	fs.Float64Var(&o.ServiceSCV, "service-scv", 1, "squared coefficient of variation of the service time: 0 constant, 1 exponential, other values lognormal")
	fs.StringVar(&o.Arrival, "arrival", "poisson", "arrival process of the load: poisson or uniform (evenly spaced)")
	fs.Float64Var(&o.ArrivalSCV, "arrival-scv", 1, "measured SCV of the inter-arrival times, instead of --arrival (0 uniform, 1 Poisson)")
	fs.StringVar(&o.SLO, "slo", "", "latency objective for admitted requests, pNN<DURATION: p99<50ms")
	fs.StringVar(&o.MaxReject, "max-reject", sizing.DefaultMaxReject, "largest acceptable ratio of rejected (503) requests, a fraction or a percentage")
	fs.StringVar(&o.MaxUtilization, "max-utilization", "1", "ceiling on the offered utilisation λ·E[S]/c, a fraction or a percentage (1: only ρ < 1)")
	fs.IntVar(&o.Workers, "workers", 0, "keep this many workers and size only the queue")
	fs.StringVar(&o.From, "from", "", "take the rate (peak achieved), service time (Server-Timing, else estimated) and arrival SCV from a saved result; flags override them")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the simulations (non-Poisson arrivals or non-exponential service)")
	fs.IntVar(&o.SimArrivals, "sim-arrivals", sizing.DefaultSimArrivals, "arrivals per simulation")
	fs.BoolVar(&o.JSON, "json", false, "print the recommendation as JSON")
	fs.StringVar(&o.Mechanism, "mechanism", "", "how the server sheds load: bounded-queue (workers and queue, the default), queue-timeout (workers and the timeout), rate-limit (the rate --workers serve within the SLO); with --from, the one recognised")
}

func newSizeCmd(e *env, runF func(*sizeOptions) error) *cobra.Command {
	opts := &sizeOptions{}
	return command(&cobra.Command{
		Use:     "size --rate R --service-time S --slo 'p99<50ms'",
		Short:   "Recommend worker count and queue size for a rate, a service time and an SLO",
		Long:    longHelp("size") + exitCodeHelp(),
		Example: examples("size"),
		Args:    noArgs,
	}, opts, runF, func(cmd *cobra.Command, _ []string) error {
		opts.changed = cmd.Flags().Changed
		return nil
	}, func(context.Context) error { return sizeRun(e, opts) })
}

// sizeRun validates the options, sizes for how the server sheds (a
// bounded queue, a queue timeout, a rate limit: sizing.Recommend), and
// prints. Exit codes: 2 for invalid input, 1 when no configuration meets
// the objectives.
func sizeRun(e *env, o *sizeOptions) error {
	if err := sizing.CheckMechanism(o.Mechanism); err != nil {
		return usageError("size: --mechanism %v", err)
	}
	spec, err := o.spec()
	if err != nil {
		return err
	}
	mechanism, note := analysis.SizeMechanism(o.from, o.Mechanism)
	if note != "" {
		o.fromNotes = append(o.fromNotes, note)
	}
	a, err := sizing.Recommend(spec, mechanism, rand.New(rand.NewPCG(o.Seed, 0)))
	switch {
	case errors.Is(err, sizing.ErrNoWorkers):
		return usageError("size --mechanism rate-limit: give --workers, the workers behind the limit (a rate-limited run does not show them)")
	case err != nil:
		return usageError("size: %v", err)
	}
	out := report.Sizing{Spec: spec, SLO: o.SLO, Seed: o.Seed, From: o.From, FromNotes: o.fromNotes}
	if err := report.WriteSizingAnswer(e.stdout, a, out, o.JSON); err != nil {
		return runFailed(fmt.Errorf("size: %w", err))
	}
	if ok, why := a.Met(spec); !ok {
		return &codedError{code: exitAssertFail, err: errors.New("size: " + why)}
	}
	return nil
}

// given reports whether a flag was set on the command line.
func (o *sizeOptions) given(name string) bool { return o.changed != nil && o.changed(name) }

// spec reads --from's result (if any) and resolves the flags, which
// override it, into a sizing problem, or a usage error.
func (o *sizeOptions) spec() (sizing.Spec, error) {
	in := o.Input
	in.Given = givenBy(o.changed)
	in.Name = flagName
	if o.From != "" {
		r, err := result.ReadFile(o.From)
		if err != nil {
			return sizing.Spec{}, usageError("size --from: %v", err)
		}
		rate, svc, scv, notes, err := analysis.SizeInputs(r)
		if errors.Is(err, analysis.ErrNoServiceTime) {
			err = fmt.Errorf("%w; give --service-time", err)
		}
		if err != nil {
			return sizing.Spec{}, usageError("size --from %s: %v", o.From, err)
		}
		o.from, o.fromNotes = r, notes
		in.Measured = &sizing.Measured{Rate: rate, Service: svc, ArrivalSCV: scv}
	}
	spec, err := in.Spec()
	if err != nil {
		return spec, usageError("size: %v", err)
	}
	return spec, nil
}
