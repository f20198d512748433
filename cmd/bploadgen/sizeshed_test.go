package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// size --mechanism queue-timeout recommends workers and a timeout (exact
// M/M/c+D: queueing.TestSizeTimeoutExact checks the numbers); rate-limit
// the rate the given workers serve within the SLO; --from a queue-timeout
// result sizes it as one.
func TestSizeMechanisms(t *testing.T) {
	code, out, errs := execMain(t, context.Background(), "size", "--rate", "900", "--service-time", "10ms", "--slo", "p99<50ms", "--mechanism", "queue-timeout", "--json")
	var z struct {
		Mechanism string  `json:"mechanism"`
		Workers   int     `json:"workers"`
		Timeout   float64 `json:"queue_timeout_s"`
		Feasible  bool    `json:"feasible"`
		Predicted struct {
			SLO     float64 `json:"response_slo_s"`
			Timeout float64 `json:"timeout_ratio"`
		} `json:"predicted"`
	}
	if err := json.Unmarshal([]byte(out), &z); code != 0 || err != nil || !z.Feasible || z.Mechanism != "queue-timeout" ||
		z.Workers < 10 || !(z.Timeout > 0) || z.Predicted.SLO > 0.050 || z.Predicted.Timeout > 0.001 {
		t.Errorf("queue-timeout: exit %d, %+v (%v), stderr %q", code, z, err, errs)
	}
	code, out, _ = execMain(t, context.Background(), "size", "--rate", "900", "--service-time", "10ms", "--slo", "p99<50ms", "--mechanism", "rate-limit", "--workers", "8")
	if code != 0 || !strings.Contains(out, "rate limit  618.45 requests/s") || !strings.Contains(out, "--policy ratelimit --limit 618.4") {
		t.Errorf("rate-limit: exit %d\n%s", code, out)
	}
	if code, _, errs := execMain(t, context.Background(), "size", "--rate", "900", "--service-time", "10ms", "--slo", "p99<50ms", "--mechanism", "rate-limit"); code != exitUsage {
		t.Errorf("rate-limit without --workers: exit %d, %q", code, errs)
	}
	if code, _, _ := execMain(t, context.Background(), "size", "--rate", "900", "--service-time", "10ms", "--slo", "p99<50ms", "--mechanism", "lifo"); code != exitUsage {
		t.Errorf("unknown mechanism: exit %d", code)
	}
	code, out, errs = execMain(t, context.Background(), "size", "--from", "../../testdata/shedding/haproxy-queue-timeout.json", "--slo", "p99<60ms", "--max-reject", "1%", "--sim-arrivals", "20000")
	if code != 0 || !strings.Contains(out, "sheds by queue-timeout") || !strings.Contains(out, "--policy deadline --queue-timeout") {
		t.Errorf("--from a queue timeout: exit %d\n%s\n%s", code, out, errs)
	}
}
