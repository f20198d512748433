package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/run"
	"github.com/bploadgen/bploadgen/internal/targets"
)

// small is a short demo: 2 workers, a 1 ms service, 2 stages of 400 ms
// at 20 and 40 rps — far below the capacity of 2000 rps, so every request
// is answered 200 however busy the machine is.
func small() Input {
	return Input{Target: targets.Settings{Workers: 2, Queue: 2, Service: "det:1ms", Policy: "reject", Burst: 1, LimitStatus: 429},
		From: 20, To: 40, Steps: 2, StepDuration: 400 * time.Millisecond, Arrival: "uniform", Seed: 3}
}

func TestRun(t *testing.T) {
	sc, err := small().Scenario()
	if err != nil {
		t.Fatal(err)
	}
	var url string
	res, err := Run(context.Background(), sc, run.Options{}, func(u string) { url = u })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || res.Target.URL != url+"/" {
		t.Errorf("started at %q, result target %q", url, res.Target.URL)
	}
	if res.Plan.Profile != "step" || len(res.Stages) != 2 || res.Seed != 3 || res.Arrival != "uniform" {
		t.Fatalf("result: profile %q, %d stages, seed %d, arrival %s", res.Plan.Profile, len(res.Stages), res.Seed, res.Arrival)
	}
	// Uniform arrivals: 0.4 s × 20 and × 40 rps are 8 and 16 requests.
	if res.Total.Scheduled != 24 {
		t.Errorf("scheduled %d, want 24", res.Total.Scheduled)
	}
	// The analysis used the target's known model; the scrape reached it.
	if res.Analysis == nil || res.Analysis.Model.Workers != 2 || !strings.Contains(res.Analysis.Model.Notes, "configured with service det:1ms") {
		t.Errorf("analysis %+v", res.Analysis)
	}
	scraped := false
	for _, w := range res.Timeline {
		scraped = scraped || len(w.Scrape) > 0
	}
	if !scraped {
		t.Error("no scraped metrics in the timeline")
	}
	if got, want := sc.Describe("http://x"), "built-in target M/D/2/4 at http://x (capacity 2000 rps); 2 stages 20→40 rps of 400ms, uniform arrivals"; got != want {
		t.Errorf("Describe\n got %q\nwant %q", got, want)
	}
}

func TestInputErrors(t *testing.T) {
	flag := func(s string) string { return "--" + strings.ReplaceAll(s, "_", "-") }
	for _, tc := range []struct {
		change func(*Input)
		want   string
	}{
		{func(in *Input) { in.Target.Service = "exp" }, "--service: "},
		{func(in *Input) { in.Target.Policy = "drop" }, "--policy: "},
		{func(in *Input) { in.Target.Workers = 0 }, "workers 0"},
		{func(in *Input) { in.Steps = 0 }, "--steps must be between 1 and 10000"},
		{func(in *Input) { in.StepDuration = 0 }, "--step-duration"},
		{func(in *Input) { in.Arrival = "bursty" }, "--arrival: "},
	} {
		in := small()
		in.Name = flag
		tc.change(&in)
		if _, err := in.Scenario(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}
