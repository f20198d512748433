package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/run"
)

// addRequestFlags binds the flags of the request and its plan settings
// into ov, for every command that sends load (run, capacity).
func addRequestFlags(fs *pflag.FlagSet, ov *run.Overrides) {
	fs.StringVar(&ov.URL, "url", "", "target URL (or give it as the argument)")
	fs.StringVarP(&ov.Method, "method", "X", "GET", "HTTP method")
	fs.StringArrayVarP(&ov.Headers, "header", "H", nil, "request header 'Name: value' (repeatable)")
	fs.StringVar(&ov.Body, "body", "", "request body")
	fs.StringVar(&ov.BodyFile, "body-file", "", "read the request body from a file")
	fs.StringVar(&ov.Arrival, "arrival", "uniform", "arrival process: uniform or poisson")
	fs.Int64Var(&ov.Seed, "seed", run.DefaultSeed, "seed of the Poisson arrival process (same seed, same schedule)")
	fs.DurationVar(&ov.Timeout, "timeout", run.DefaultTimeout, "per-request timeout, from the actual send")
	fs.IntVar(&ov.MaxInFlight, "max-in-flight", run.DefaultMaxInFlight, "the generator's bound on requests in flight; arrivals beyond it are counted as not_sent")
}

// sendOptions are how a command that sends load (run, capacity) carries
// it out, beside the plan: the profile file, the client, the grace after
// an interrupt, the target's scrape endpoint and queueing model, and the
// progress line.
type sendOptions struct {
	File string // -f profile.yaml

	// Options are how the load is carried out, bound straight from the
	// flags: the client, the grace, the scrape, the engine's pacing
	// (engineflags.go); the command fills in the rest.
	run.Options
	Quiet bool

	// Model is the target's queueing model for the analysis (--model-*).
	Model analyzeOptions

	// changed holds the flags given on the command line (they override the
	// profile file).
	changed func(name string) bool
}

// bind takes the URL argument, if given, into ov (and --url, which it
// must not be given with) and notes the flags given on the command line.
func (o *sendOptions) bind(cmd *cobra.Command, args []string, ov *run.Overrides) error {
	if len(args) == 1 {
		if cmd.Flags().Changed("url") {
			return usageError("%sgive the URL as the argument or with --url, not both", cmdPrefix(cmd))
		}
		ov.URL = args[0]
		_ = cmd.Flags().Set("url", args[0])
	}
	o.changed = cmd.Flags().Changed
	o.Model.changed = func(n string) bool { return cmd.Flags().Changed("model-" + n) }
	o.Model.flagPrefix, o.Model.owner = "model-", cmd.Name()
	return nil
}

func (o *sendOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.File, "file", "f", "", "profile file (YAML); flags given on the command line override it")
	fs.DurationVar(&o.Grace, "grace", run.DefaultGrace, "after SIGINT/SIGTERM, how long to wait for requests in flight")
	fs.BoolVar(&o.HTTP2, "http2", false, "allow HTTP/2 over TLS (its stream limit can cap in-flight requests)")
	fs.BoolVarP(&o.Insecure, "insecure", "k", false, "skip TLS certificate verification")
	fs.StringVar((*string)(&o.Client), "client", string(openloop.ClientAuto), "HTTP client: auto (for plain http: loop on Linux, h1 elsewhere; net/http otherwise), loop (event loops: epoll, non-blocking keep-alive connections; the fastest and cheapest), h1 (lean HTTP/1.1, a goroutine and a connection per worker) or net/http (https, proxies, --http2)")
	fs.StringVar(&o.Scrape, "scrape", "", "Prometheus text endpoint of the target to sample every second")
	fs.StringArrayVar(&o.ScrapeMetrics, "scrape-metric", nil, "metric to keep from --scrape (repeatable; default: the built-in target's, or every unlabelled gauge and counter)")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "no live progress line")
	addEngineFlags(fs, &o.Options)
	addModelFlags(fs, &o.Model.ModelInput, "model-", "capacity analysis: ") // analyze.go
}
