package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/targets"
)

func retryInput() RetryInput {
	return RetryInput{Target: targets.Settings{Workers: 8, Queue: 16, Service: "exp:10ms", Policy: "reject", Burst: 1, LimitStatus: 429},
		SpikeAt: 2 * time.Second, SpikeFor: 3 * time.Second, Duration: 14 * time.Second, Arrival: "poisson", Seed: 1}
}

// TestRetryScenario: the default rates are half and 2.5 times the
// target's capacity, the stages before, spike and after, and the two
// populations differ only in Retry-After.
func TestRetryScenario(t *testing.T) {
	sc, err := retryInput().Scenario()
	if err != nil {
		t.Fatal(err)
	}
	if sc.Rate != 400 || sc.SpikeRate != 2000 || len(sc.Stages) != 3 || sc.Spike != 1 || sc.SpikeEnd() != 5*time.Second {
		t.Errorf("rates %g, %g; stages %+v, spike %d ending at %s", sc.Rate, sc.SpikeRate, sc.Stages, sc.Spike, sc.SpikeEnd())
	}
	if len(sc.Clients) != 2 || sc.Clients[0].Policy.HonorRetryAfter || !sc.Clients[1].Policy.HonorRetryAfter {
		t.Fatalf("clients %+v", sc.Clients)
	}
	ign, hon := sc.Clients[0].Policy, sc.Clients[1].Policy
	hon.HonorRetryAfter = false
	if ign != hon || !ign.Enabled() || ign.Check() != nil {
		t.Errorf("the populations differ beyond Retry-After: %+v, %+v", ign, sc.Clients[1].Policy)
	}
	want := "built-in target M/M/8/24 (capacity 800 rps); 400 rps with a spike to 2000 rps at 2s for 3s, 14s in all, poisson arrivals; clients retry 503 up to 3 times, backoff 10ms..100ms: ignore Retry-After, then honour Retry-After"
	if got := sc.Describe(); got != want {
		t.Errorf("Describe\n got %q\nwant %q", got, want)
	}
	in := retryInput()
	in.Rate, in.SpikeRate, in.SpikeAt = 100, 300, 0
	if sc, err := in.Scenario(); err != nil || sc.Rate != 100 || sc.SpikeRate != 300 || len(sc.Stages) != 2 || sc.Spike != 0 {
		t.Errorf("given rates, spike at 0: %+v, %v", sc, err)
	}
}

func TestRetryInputErrors(t *testing.T) {
	flag := func(s string) string { return "--" + strings.ReplaceAll(s, "_", "-") }
	for _, tc := range []struct {
		change func(*RetryInput)
		want   string
	}{
		{func(in *RetryInput) { in.Target.Service = "exp" }, "--service: "},
		{func(in *RetryInput) { in.Rate, in.SpikeRate = 500, 400 }, "--spike-rate 400 must be above --rate 500"},
		{func(in *RetryInput) { in.SpikeFor = 0 }, "--spike-for"},
		{func(in *RetryInput) { in.Duration = 4 * time.Second }, "the spike (--spike-at 2s + --spike-for 3s) ends after --duration 4s"},
		{func(in *RetryInput) { in.Duration = 5 * time.Second }, "--duration 5s leaves no time after the spike"},
		{func(in *RetryInput) { in.Arrival = "bursty" }, "--arrival: "},
	} {
		in := retryInput()
		in.Name = flag
		tc.change(&in)
		if _, err := in.Scenario(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}
