// Package demo is the whole story on an embedded default, what `bploadgen
// demo` runs: the built-in target (internal/targets) started in-process, a
// step profile across its capacity driven through the run pipeline
// (internal/run) with the target's metrics scraped, and the capacity
// analysis made with the target's known model (run.BuiltinTarget).
//
//	sc, err := demo.Input{Target: targets.Settings{Workers: 8, Queue: 16, Service: "exp:10ms", Policy: "reject"},
//		From: 200, To: 1200, Steps: 6, StepDuration: 5 * time.Second, Arrival: "poisson", Seed: 1}.Scenario()
//	res, err := demo.Run(ctx, sc, run.Options{}, func(url string) { fmt.Println(sc.Describe(url)) })
//
// The retry demo (`bploadgen demo --retries`, retries.go) runs one spike
// (RetryInput, RetryScenario) once per client population (RetryClients:
// retrying 503 and ignoring Retry-After, then honouring it), each against
// a fresh target, and returns the runs side by side with each one's
// recovery after the spike (RunRetries; report.WriteRetryText and
// WriteRetryHTML render them).
//
// Nothing here prints, reads flags or writes files: the caller does, and
// names the settings in errors (Input.Name).
package demo
