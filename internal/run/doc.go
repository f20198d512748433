// Package run is the run use case: a Plan (what to send, at what rates,
// judged by which gates) executed against a target, giving back a
// result.Result with its capacity analysis and assertion verdicts. It is
// the one place where the pipeline is wired together:
//
//	profile + overrides ──Resolve──▶ Plan ──Execute──▶ schedule → openloop
//	  (engine, recorder) → result → analysis → assert ──▶ *result.Result
//
// `bploadgen run` and `demo` are thin callers of it, and so is any code that
// drives runs itself (a capacity search, request mixes, retries). Such a
// caller builds a Plan directly, for example explicit stages of (rate,
// duration) for one request:
//
//	pl := run.NewPlan(profile.RequestSpec{URL: "http://127.0.0.1:8080/"},
//		profile.Stage{Name: "probe @ 400 rps", Rate: 400, To: 400, Duration: 10 * time.Second})
//	pl.Asserts, _ = assert.ParseAll([]string{"p99 < 100ms"})
//	res, err := run.Execute(ctx, pl, run.Options{Analyze: run.NoAnalysis})
//	// res.Stages[0] has the measurements, res.Assertions the verdicts.
//
// Execute returns one error type the caller can tell apart: *InputError,
// for a plan or option that is invalid (nothing was sent; the command maps
// it to exit 2). Any other error means the run could not be carried out
// (the target's host does not resolve, the client could not be built, an
// https target failed its TLS handshake before the schedule: *TLSError; the
// request log of Options.LogRequests could not be created or written:
// *FileError, named by its setting for the caller to say in its words). An
// interrupted run (ctx cancelled) is not an error: the partial result comes
// back with Interrupted set, conservation intact.
//
// Nothing here prints, reads flags or exits: progress goes to a callback,
// the tool's identity is passed in, and the words errors use for settings
// are chosen by the caller (Overrides.Name, the name function of
// Options.Validate), so the command line can say
// "--max-in-flight" where a profile or a program says "max_in_flight".
package run
