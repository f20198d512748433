package assert

import (
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// enc records ds (nanoseconds) into a fresh histogram and encodes it.
func enc(t testing.TB, ds ...time.Duration) string {
	t.Helper()
	h := result.NewHistogram()
	for _, d := range ds {
		if err := h.RecordValue(int64(d)); err != nil {
			t.Fatal(err)
		}
	}
	s, err := result.EncodeHist(h)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// quantile is percentile p (seconds) of one histogram holding ds: the
// value an exact evaluation must report.
func quantile(t testing.TB, p float64, ds ...time.Duration) float64 {
	t.Helper()
	h, err := result.DecodeHist(enc(t, ds...))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := result.Quantile(h, p)
	return v
}

// ms returns n latencies: from+0, from+step, ... milliseconds.
func ms(from, step float64, n int) []time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		ds[i] = time.Duration((from + step*float64(i)) * float64(time.Millisecond))
	}
	return ds
}

func cat(dss ...[]time.Duration) []time.Duration {
	var out []time.Duration
	for _, ds := range dss {
		out = append(out, ds...)
	}
	return out
}

// fixture is a three-stage result. Stage 1: 100 scheduled, 90 × 200 and
// 10 × 503. Stage 2: 200 scheduled, 10 not sent, 150 × 200, 10 × 429 and
// 30 timeouts. Stage 3: a pause, nothing scheduled.
type fixture struct {
	r                 *result.Result
	lat1, lat2        []time.Duration // every response's latency
	ok1, ok2          []time.Duration // 2xx only
	service1, service []time.Duration
}

func newFixture(t testing.TB) *fixture {
	f := &fixture{
		ok1: ms(1, 1, 90), lat1: cat(ms(1, 1, 90), ms(500, 10, 10)),
		ok2: ms(2, 0.5, 150), lat2: cat(ms(2, 0.5, 150), ms(0.2, 0, 10)),
	}
	f.service1 = ms(0.5, 0.25, 100)
	f.service = cat(f.service1, ms(1, 0.1, 160))
	st1 := result.Stage{
		Index: 1, StartS: 0, EndS: 10, Scheduled: 100, Sent: 100, Completed: 100, ThroughputRPS: 9,
		Status: map[string]int64{"200": 90, "503": 10}, Errors: map[string]int64{"timeout": 0},
		HDR: result.StageHDR{Latency: enc(t, f.lat1...), Latency2xx: enc(t, f.ok1...), ServiceTime: enc(t, f.service1...)},
	}
	st2 := result.Stage{
		Index: 2, StartS: 10, EndS: 20, Scheduled: 200, Sent: 190, NotSent: 10, Completed: 190, ThroughputRPS: 15,
		Status: map[string]int64{"200": 150, "429": 10}, Errors: map[string]int64{"timeout": 30},
		HDR: result.StageHDR{Latency: enc(t, f.lat2...), Latency2xx: enc(t, f.ok2...), ServiceTime: enc(t, f.service[100:]...)},
	}
	st3 := result.Stage{Index: 3, StartS: 20, EndS: 30, Status: map[string]int64{}, Errors: map[string]int64{}}
	total := result.Stage{
		StartS: 0, EndS: 30, Scheduled: 300, Sent: 290, NotSent: 10, Completed: 290, ThroughputRPS: 8,
		Status: map[string]int64{"200": 240, "503": 10, "429": 10}, Errors: map[string]int64{"timeout": 30},
		HDR: result.StageHDR{
			Latency: enc(t, cat(f.lat1, f.lat2)...), Latency2xx: enc(t, cat(f.ok1, f.ok2)...),
			ServiceTime: enc(t, f.service...),
		},
	}
	f.r = &result.Result{Stages: []result.Stage{st1, st2, st3}, Total: total}
	return f
}

// eval parses and evaluates exprs, failing the test on any error.
func eval(t *testing.T, r *result.Result, exprs ...string) []result.Assertion {
	t.Helper()
	es, err := ParseAll(exprs)
	if err != nil {
		t.Fatal(err)
	}
	as, err := Evaluate(r, es)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestEvaluateMetrics(t *testing.T) {
	f := newFixture(t)
	all := cat(f.lat1, f.lat2)
	tests := []struct {
		expr     string
		scope    string
		observed float64
	}{
		{"p50 < 1s", "run", quantile(t, 50, all...)},
		{"p99 < 1s", "run", quantile(t, 99, all...)},
		{"p99.99 < 1s", "run", quantile(t, 99.99, all...)},
		{"p75 < 1s", "run", quantile(t, 75, all...)},
		{"max < 1s", "run", quantile(t, 100, all...)},
		{"service.p95 < 1s", "run", quantile(t, 95, f.service...)},
		{"2xx.p90 < 1s", "run", quantile(t, 90, cat(f.ok1, f.ok2)...)},
		{"p99 < 1s in stage 1", "stage 1", quantile(t, 99, f.lat1...)},
		{"2xx.max < 1s in stage 1", "stage 1", quantile(t, 100, f.ok1...)},
		{"service.p50 < 1s in stage 2", "stage 2", quantile(t, 50, f.service[100:]...)},
		{"ratio(503) < 1 in stage 1", "stage 1", 0.1},             // 10 / 100
		{"ratio(5xx) < 1", "run", 10.0 / 300},                     // the 503s of stage 1
		{"ratio(4xx) < 1 in stage 2", "stage 2", 0.05},            // 10 × 429 / 200
		{"ratio(2xx) < 1", "run", 0.8},                            // 240 / 300
		{"ratio(errors) < 1 in stage 2", "stage 2", 0.15},         // 30 / 200
		{"ratio(timeout) < 1", "run", 0.1},                        // 30 / 300
		{"ratio(not_sent) < 1 in stage 2", "stage 2", 0.05},       // 10 / 200
		{"ratio(connect) < 1", "run", 0},                          // absent class
		{"achieved < 1 in stage 2", "stage 2", 0.95},              // 190 / 200
		{"rps < 1000 in stage 2", "stage 2", 15},                  // throughput_rps
		{"rps < 1000", "run", 8},                                  //
		{"min < 1s in stage 2", "stage 2", minOf(t, f.lat2...)},   // the bucket's low end, 199.68µs
		{"mean < 1s in stage 1", "stage 1", meanOf(t, f.lat1...)}, // the histogram's mean
	}
	for _, tt := range tests {
		as := eval(t, f.r, tt.expr)
		if len(as) != 1 {
			t.Fatalf("%s: %d parts, want 1", tt.expr, len(as))
		}
		a := as[0]
		if a.Scope != tt.scope || a.Observed != tt.observed || !a.Pass || a.Note != "" || a.Expr != tt.expr {
			t.Errorf("%s = %+v, want scope %q observed %v pass", tt.expr, a, tt.scope, tt.observed)
		}
	}
}

// minOf is the histogram's minimum: the low end of the lowest bucket.
func minOf(t testing.TB, ds ...time.Duration) float64 {
	h, err := result.DecodeHist(enc(t, ds...))
	if err != nil {
		t.Fatal(err)
	}
	return float64(h.Min()) / 1e9
}

func meanOf(t testing.TB, ds ...time.Duration) float64 {
	h, err := result.DecodeHist(enc(t, ds...))
	if err != nil {
		t.Fatal(err)
	}
	return h.Mean() / 1e9
}

// A threshold equal to the observed value: < and > fail, <= and >= pass,
// for times (compared as ns/1e9 on both sides), ratios and rates.
func TestEvaluateBoundary(t *testing.T) {
	f := newFixture(t)
	p99 := quantile(t, 99, f.lat1...)
	d := formatDuration(time.Duration(p99 * 1e9))
	for _, b := range []struct{ metric, value string }{
		{"p99", d}, {"ratio(503)", "10%"}, {"ratio(503)", "0.1"}, {"achieved", "0.95"}, {"rps", "15"},
	} {
		scope := " in stage 1"
		if b.metric == "achieved" || b.metric == "rps" {
			scope = " in stage 2"
		}
		for op, want := range map[string]bool{"<": false, "<=": true, ">": false, ">=": true} {
			expr := b.metric + " " + op + " " + b.value + scope
			if a := eval(t, f.r, expr)[0]; a.Pass != want || a.Observed != a.Value {
				t.Errorf("%s: pass %v observed %v threshold %v, want pass %v at equality", expr, a.Pass, a.Observed, a.Value, want)
			}
		}
	}
}

func TestEvaluateEachStage(t *testing.T) {
	f := newFixture(t)
	as := eval(t, f.r, "p99 < 400ms in each stage", "ratio(5xx) < 5% in each stage")
	want := []struct {
		scope string
		pass  bool
	}{
		{"stage 1", false}, // the 503s took 500 to 590ms
		{"stage 2", true},
		{"stage 1", false}, // 10%
		{"stage 2", true},  // 0%
	}
	if len(as) != len(want) {
		t.Fatalf("got %d parts, want %d (stage 3 schedules nothing and is skipped): %+v", len(as), len(want), as)
	}
	for i, w := range want {
		if as[i].Scope != w.scope || as[i].Pass != w.pass || as[i].Expr != []string{"p99 < 400ms in each stage", "ratio(5xx) < 5% in each stage"}[i/2] {
			t.Errorf("part %d = %+v, want %s pass=%v", i, as[i], w.scope, w.pass)
		}
	}
	if !AllPass(as[1:2]) || AllPass(as) || !AllPass(nil) {
		t.Error("AllPass is wrong")
	}
}

// No data never passes: whatever the operator.
func TestEvaluateNoData(t *testing.T) {
	f := newFixture(t)
	hung := &result.Result{
		Stages: []result.Stage{{Scheduled: 100, Sent: 100, Completed: 100, Errors: map[string]int64{"timeout": 100}}},
		Total:  result.Stage{Scheduled: 100, Sent: 100, Completed: 100, Errors: map[string]int64{"timeout": 100}},
	}
	nothing := &result.Result{Stages: []result.Stage{{}}, Total: result.Stage{}}
	tests := []struct {
		r           *result.Result
		expr, scope string
		note        string
	}{
		{hung, "p99 < 250ms", "run", "no responses"},
		{hung, "p99 > 250ms", "run", "no responses"},
		{hung, "service.max >= 0s", "run", "no responses"},
		{hung, "2xx.p50 < 1s in stage 1", "stage 1", "no 2xx responses"},
		{f.r, "2xx.p50 < 1s in stage 3", "stage 3", "nothing scheduled"},
		{f.r, "ratio(503) < 1% in stage 3", "stage 3", "nothing scheduled"},
		{f.r, "achieved >= 0 in stage 3", "stage 3", "nothing scheduled"},
		{f.r, "rps >= 0 in stage 3", "stage 3", "nothing scheduled"},
		{f.r, "p99 < 1s in stage 4", "stage 4", "no stage 4 in the result (it has 3)"},
		{nothing, "ratio(5xx) <= 100%", "run", "nothing scheduled"},
		{nothing, "p99 < 1s in each stage", "each stage", "nothing scheduled"},
		{nothing, "p99 < 1s in each 10s", "each 10s", "nothing scheduled"},
	}
	for _, tt := range tests {
		as := eval(t, tt.r, tt.expr)
		if len(as) != 1 || as[0].Pass || as[0].Note != tt.note || as[0].Scope != tt.scope || as[0].Observed != 0 {
			t.Errorf("%s = %+v, want one failed part %q with note %q", tt.expr, as, tt.scope, tt.note)
		}
	}
	// The hung server's ratios are verdicts: every request timed out.
	if a := eval(t, hung, "ratio(timeout) < 1%")[0]; a.Pass || a.Observed != 1 || a.Note != "" {
		t.Errorf("ratio(timeout) on a hung server = %+v", a)
	}
}

// Results without histograms (old or hand-written): stages fall back to
// their summaries; a percentile the summary lacks cannot be judged.
func TestEvaluateSummaryFallback(t *testing.T) {
	st := result.Stage{
		Scheduled: 10, Sent: 10, Completed: 10, Status: map[string]int64{"200": 10},
		Latency: result.Summary{Count: 10, Min: 0.001, Mean: 0.004, P50: 0.003, P90: 0.008, P95: 0.009, P99: 0.0099, P999: 0.00999, P9999: 0.01, Max: 0.01},
	}
	r := &result.Result{Stages: []result.Stage{st}, Total: st}
	for expr, want := range map[string]float64{"p99 < 1s": 0.0099, "p99.9 < 1s": 0.00999, "min < 1s": 0.001, "mean < 1s": 0.004} {
		if a := eval(t, r, expr)[0]; a.Observed != want || !a.Pass {
			t.Errorf("%s = %+v, want %v from the summary", expr, a, want)
		}
	}
	if a := eval(t, r, "p75 < 1s")[0]; a.Pass || a.Note != "no histogram in the result, and its summary has no p75" {
		t.Errorf("p75 without a histogram = %+v", a)
	}
	// 10 2xx responses, an empty latency_2xx summary and no histogram.
	if a := eval(t, r, "2xx.p99 < 1s")[0]; a.Pass || a.Note != "no histogram in the result for these responses" {
		t.Errorf("2xx.p99 without data = %+v", a)
	}
	v, ok, err := MetricValue(&r.Total, "P99")
	if v != 0.0099 || !ok || err != nil {
		t.Errorf("MetricValue(p99) = %v, %v, %v", v, ok, err)
	}
}

func TestMetricValue(t *testing.T) {
	f := newFixture(t)
	for metric, want := range map[string]float64{
		"p99": quantile(t, 99, f.lat1...), "ratio( 503 )": 0.1, "achieved": 1, "rps": 9, "service.min": minOf(t, f.service1...),
	} {
		if v, ok, err := MetricValue(&f.r.Stages[0], metric); v != want || !ok || err != nil {
			t.Errorf("MetricValue(%s) = %v, %v, %v; want %v", metric, v, ok, err, want)
		}
	}
	if _, ok, err := MetricValue(&f.r.Stages[2], "p99"); ok || err != nil {
		t.Errorf("MetricValue of an empty stage: ok %v err %v, want no data and no error", ok, err)
	}
	if _, _, err := MetricValue(&f.r.Stages[0], "p999"); err == nil {
		t.Error("MetricValue accepted an unknown metric")
	}
}

func TestEvaluateCorrupt(t *testing.T) {
	f := newFixture(t)
	f.r.Stages[1].HDR.Latency = "HISTfAAAAnotreally"
	es, _ := ParseAll([]string{"p99 < 1s in stage 1", "p99 < 1s in each stage"})
	_, err := Evaluate(f.r, es)
	if err == nil || !strings.HasPrefix(err.Error(), `assert "p99 < 1s in each stage": stage 2: decode histogram:`) {
		t.Errorf("Evaluate with a corrupt histogram: %v", err)
	}
	if _, err := Evaluate(f.r, []Expr{{Metric: "p99", Kind: TimeMetric, Op: "=="}}); err == nil {
		t.Error("Evaluate accepted op ==")
	}
	if _, err := Evaluate(f.r, []Expr{{Metric: "p99", Op: "<", Scope: Scope{Kind: EachWindow, Window: 1500 * time.Millisecond}}}); err == nil {
		t.Error("Evaluate accepted a 1.5s window")
	}
	if _, err := Evaluate(nil, nil); err == nil {
		t.Error("Evaluate accepted a nil result")
	}
}
