package capacity

import (
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/result"
)

// recordedForecast is ModelForecaster's answer for slo on a result
// recorded from a real server (testdata/shedding/README.md), its stages
// standing for probes, and the stages' bracket for ratio(503) < 1%: the
// highest rate whose ratio was below 1% and the lowest above.
func recordedForecast(t *testing.T, name string, slos ...string) (f *result.CapacityForecast, pass, fail float64) {
	t.Helper()
	r, err := result.ReadFile("../../testdata/shedding/" + name)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range r.Stages {
		ratio := float64(st.Status["503"]) / float64(st.Completed)
		switch {
		case ratio < 0.01:
			pass = max(pass, st.AchievedRPS)
		case fail == 0 || st.AchievedRPS < fail:
			fail = st.AchievedRPS
		}
	}
	return ModelForecaster(analysis.ModelSpec{})(r, mustParse(t, slos...)), pass, fail
}

// TestForecastQueueTimeout: HAProxy's maxconn 4 and timeout queue 20 ms
// (Poisson, Server-Timing): the forecast is the queue timeout's model and
// lies in the recorded bracket (305 rps at 0.3% 503s, 393 at 7.8%). The
// unbounded queue's model it used before predicted no 503 below c/E[S]
// and put the limit at 400.
func TestForecastQueueTimeout(t *testing.T) {
	t.Parallel()
	f, pass, fail := recordedForecast(t, "haproxy-queue-timeout.json", "ratio(503) < 1%")
	if f == nil || !strings.HasSuffix(f.Model.Kendall, "+D") || !strings.Contains(f.Model.Name, "+D") {
		t.Fatalf("forecast %+v, want the queue timeout's model", f)
	}
	judgeForecast(f, pass, fail)
	if !*f.Agrees {
		t.Errorf("%s: %g rps (band %g–%g), recorded bracket %g–%g", f.Model.Name, f.RateRPS, f.BandLowRPS, f.BandHighRPS, pass, fail)
	}
}

// TestForecastRateLimit: nginx limit_req 200 r/s (burst 10 nodelay),
// evenly spaced arrivals: the forecast is the token bucket's, R/0.99 for
// ratio(503) < 1% (within the 5% the analysis recovers R to), inside its
// band, which the note says comes from the bucket; a latency SLO, which a
// rate limit's model does not predict, is left out and said so, and alone
// gets no forecast. Before, a rate limit had no forecast at all.
func TestForecastRateLimit(t *testing.T) {
	t.Parallel()
	f, pass, fail := recordedForecast(t, "nginx-limit-req.json", "ratio(503) < 1%")
	if f == nil || f.Model.Name != "token bucket" {
		t.Fatalf("forecast %+v, want the token bucket's", f)
	}
	if want := 200 / 0.99; f.RateRPS < 0.95*want || f.RateRPS > 1.05*want || f.BandLowRPS > f.RateRPS || f.RateRPS > f.BandHighRPS {
		t.Errorf("%g rps (band %g–%g), want %g ± 5%% inside the band", f.RateRPS, f.BandLowRPS, f.BandHighRPS, want)
	}
	if !strings.Contains(f.Note, "a token bucket of R = ") || strings.Contains(f.Note, "c = 0") {
		t.Errorf("note %q", f.Note)
	}
	if judgeForecast(f, pass, fail); !*f.Agrees {
		t.Errorf("band %g–%g, recorded bracket %g–%g", f.BandLowRPS, f.BandHighRPS, pass, fail)
	}
	both, _, _ := recordedForecast(t, "nginx-limit-req.json", "ratio(503) < 1%", "p99 < 25ms")
	if both == nil || both.RateRPS != f.RateRPS || !strings.Contains(both.Note, "the model does not predict p99 < 25ms") {
		t.Errorf("with a latency SLO beside: %+v", both)
	}
	if only, _, _ := recordedForecast(t, "nginx-limit-req.json", "p99 < 25ms"); only != nil {
		t.Errorf("a latency SLO alone: forecast %+v", only)
	}
}
