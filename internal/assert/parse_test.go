package assert

import (
	"strings"
	"testing"
	"time"
)

func TestParseGood(t *testing.T) {
	tests := []struct {
		in   string
		want Expr // Raw is filled in from in
		str  string
	}{
		{"p99 < 250ms", Expr{Metric: "p99", Kind: TimeMetric, Op: "<", Value: 0.25}, "p99 < 250ms"},
		{"p99<250ms", Expr{Metric: "p99", Kind: TimeMetric, Op: "<", Value: 0.25}, "p99 < 250ms"},
		{"  P99   <=1.5S  ", Expr{Metric: "p99", Kind: TimeMetric, Op: "<=", Value: 1.5}, "p99 <= 1.5s"},
		{"p50 > 800us", Expr{Metric: "p50", Kind: TimeMetric, Op: ">", Value: 800e-6}, "p50 > 800us"},
		{"p90 >= 800µs", Expr{Metric: "p90", Kind: TimeMetric, Op: ">=", Value: 800e-6}, "p90 >= 800us"},
		{"p95 ≤ 800μs", Expr{Metric: "p95", Kind: TimeMetric, Op: "<=", Value: 800e-6}, "p95 <= 800us"},
		{"p99.9 ≥ 2ms", Expr{Metric: "p99.9", Kind: TimeMetric, Op: ">=", Value: 0.002}, "p99.9 >= 2ms"},
		{"p99.99<1m", Expr{Metric: "p99.99", Kind: TimeMetric, Op: "<", Value: 60}, "p99.99 < 60s"},
		{"p99.990 < 1h", Expr{Metric: "p99.99", Kind: TimeMetric, Op: "<", Value: 3600}, "p99.99 < 3600s"},
		{"p75 < 1.25ms", Expr{Metric: "p75", Kind: TimeMetric, Op: "<", Value: 0.00125}, "p75 < 1.25ms"},
		{"p050 < 1ms500us", Expr{Metric: "p50", Kind: TimeMetric, Op: "<", Value: 0.0015}, "p50 < 1.5ms"},
		{"max < 250 ms", Expr{Metric: "max", Kind: TimeMetric, Op: "<", Value: 0.25}, "max < 250ms"},
		{"min > 0s", Expr{Metric: "min", Kind: TimeMetric, Op: ">", Value: 0}, "min > 0s"},
		{"mean < 7ns", Expr{Metric: "mean", Kind: TimeMetric, Op: "<", Value: 7e-9}, "mean < 7ns"},
		{"Service.P99 < 20ms", Expr{Metric: "service.p99", Kind: TimeMetric, Op: "<", Value: 0.02}, "service.p99 < 20ms"},
		{"2XX.mean < .5s", Expr{Metric: "2xx.mean", Kind: TimeMetric, Op: "<", Value: 0.5}, "2xx.mean < 500ms"},
		{"ratio(503) < 1%", Expr{Metric: "ratio(503)", Kind: RatioMetric, Op: "<", Value: 0.01}, "ratio(503) < 1%"},
		{"ratio( 5XX )<0.015", Expr{Metric: "ratio(5xx)", Kind: RatioMetric, Op: "<", Value: 0.015}, "ratio(5xx) < 1.5%"},
		{"ratio (429) <= 1 %", Expr{Metric: "ratio(429)", Kind: RatioMetric, Op: "<=", Value: 0.01}, "ratio(429) <= 1%"},
		{"ratio(2xx) > 99.9%", Expr{Metric: "ratio(2xx)", Kind: RatioMetric, Op: ">", Value: 0.999}, "ratio(2xx) > 99.9%"},
		{"ratio(errors) < 0.001", Expr{Metric: "ratio(errors)", Kind: RatioMetric, Op: "<", Value: 0.001}, "ratio(errors) < 0.1%"},
		{"ratio(not_sent) <= 0", Expr{Metric: "ratio(not_sent)", Kind: RatioMetric, Op: "<=", Value: 0}, "ratio(not_sent) <= 0%"},
		{"ratio(Timeout) < 100%", Expr{Metric: "ratio(timeout)", Kind: RatioMetric, Op: "<", Value: 1}, "ratio(timeout) < 100%"},
		{"ratio(canceled) < 1", Expr{Metric: "ratio(canceled)", Kind: RatioMetric, Op: "<", Value: 1}, "ratio(canceled) < 100%"},
		{"ratio(100) < .5%", Expr{Metric: "ratio(100)", Kind: RatioMetric, Op: "<", Value: 0.005}, "ratio(100) < 0.5%"},
		{"achieved >= 99.5%", Expr{Metric: "achieved", Kind: RatioMetric, Op: ">=", Value: 0.995}, "achieved >= 99.5%"},
		{"RPS>=100.5", Expr{Metric: "rps", Kind: RateMetric, Op: ">=", Value: 100.5}, "rps >= 100.5"},
		{"rps > 1000000", Expr{Metric: "rps", Kind: RateMetric, Op: ">", Value: 1e6}, "rps > 1000000"},
		{"p99 < 250ms in run", Expr{Metric: "p99", Kind: TimeMetric, Op: "<", Value: 0.25}, "p99 < 250ms"},
		{"p99 < 250ms in stage 2", Expr{Metric: "p99", Kind: TimeMetric, Op: "<", Value: 0.25, Scope: Scope{Kind: Stage, Stage: 2}}, "p99 < 250ms in stage 2"},
		{"p99<250ms IN Stage2", Expr{Metric: "p99", Kind: TimeMetric, Op: "<", Value: 0.25, Scope: Scope{Kind: Stage, Stage: 2}}, "p99 < 250ms in stage 2"},
		{"p99 < 400ms in each stage", Expr{Metric: "p99", Kind: TimeMetric, Op: "<", Value: 0.4, Scope: Scope{Kind: EachStage}}, "p99 < 400ms in each stage"},
		{"p99 < 400ms in each 10s", Expr{Metric: "p99", Kind: TimeMetric, Op: "<", Value: 0.4, Scope: Scope{Kind: EachWindow, Window: 10 * time.Second}}, "p99 < 400ms in each 10s"},
		{"p99 < 400ms in EACH 1m", Expr{Metric: "p99", Kind: TimeMetric, Op: "<", Value: 0.4, Scope: Scope{Kind: EachWindow, Window: time.Minute}}, "p99 < 400ms in each 60s"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		want := tt.want
		want.Raw = trimmed(tt.in)
		if got != want {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, want)
		}
		if s := got.String(); s != tt.str {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
		again, err := Parse(got.String())
		if err != nil {
			t.Errorf("Parse(%q) of the canonical form: %v", got.String(), err)
			continue
		}
		again.Raw = got.Raw
		if again != got {
			t.Errorf("canonical %q re-parses to %#v, want %#v", got.String(), again, got)
		}
	}
}

func trimmed(s string) string {
	e, _ := Parse(s)
	return e.Raw
}

func TestParseBad(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", `empty; want METRIC OP VALUE [in SCOPE], like p99 < 250ms`},
		{"p99", `no comparison; want METRIC OP VALUE, like p99 < 250ms`},
		{"< 1s", `missing metric before "<"; want METRIC OP VALUE, like p99 < 250ms`},
		{"p99 == 1s", `unknown operator "=="; use <, <=, > or >=`},
		{"p99 =< 1s", `unknown operator "=<"; use <, <=, > or >=`},
		{"p99 != 1s", `unknown operator "!="; use <, <=, > or >=`},
		{"p99 <", `missing value after <`},
		{"p99 < in stage 2", `missing value after <`},
		{"p99x < 1s", `unknown metric "p99x"; want p50, p90, p95, p99, p99.9, p99.99, min, max or mean (prefixed service. or 2xx. for those distributions), ratio(CLASS), rps, achieved, goodput or amplification`},
		{"latency < 1s", `unknown metric "latency"; want p50, p90, p95, p99, p99.9, p99.99, min, max or mean (prefixed service. or 2xx. for those distributions), ratio(CLASS), rps, achieved, goodput or amplification`},
		{"p 99 < 1s", `unknown metric "p 99"; want p50, p90, p95, p99, p99.9, p99.99, min, max or mean (prefixed service. or 2xx. for those distributions), ratio(CLASS), rps, achieved, goodput or amplification`},
		{"p999 < 1s", `unknown metric "p999"; did you mean p99.9?`},
		{"service.p9999 < 1s", `unknown metric "service.p9999"; did you mean p99.99?`},
		{"p100 < 1s", `unknown metric "p100"; a percentile is above 0 and below 100 (min and max are the ends)`},
		{"p0 < 1s", `unknown metric "p0"; a percentile is above 0 and below 100 (min and max are the ends)`},
		{"ratio 503 < 1%", `"ratio 503": write a ratio as ratio(CLASS), like ratio(5xx)`},
		{"ratio(abc) < 1%", `unknown class "abc" in ratio(abc); want a status code (503), a status class (5xx), errors, not_sent, or an error class (timeout, connect, reset, other, canceled)`},
		{"ratio(6xx) < 1%", `unknown class "6xx" in ratio(6xx); want a status code (503), a status class (5xx), errors, not_sent, or an error class (timeout, connect, reset, other, canceled)`},
		{"ratio(600) < 1%", `ratio(600): a status code is 100 to 599`},
		{"p99 < 250", `p99 needs a duration with a unit, like 250ms`},
		{"p99 < 1%", `p99 needs a duration with a unit, like 250ms`},
		{"p99 < fast", `p99 needs a duration with a unit, like 250ms; "fast" is not one`},
		{"p99 < 1e3ms", `p99 needs a duration with a unit, like 250ms; "1e3ms" is not one`},
		{"p99 < +5ms", `p99 needs a duration with a unit, like 250ms; "+5ms" is not one`},
		{"p99 < -5ms", `p99: the threshold -5ms is negative`},
		{"p99 < NaN", `p99: the threshold NaN is not a finite number`},
		{"p99 < +Inf", `p99: the threshold +Inf is not a finite number`},
		{"p99 < 2h", `p99: 2h is longer than 1h, the longest time a histogram records`},
		{"ratio(503) < 250ms", `ratio(503) needs a fraction or a percentage, like 0.01 or 1%, not a duration`},
		{"ratio(503) < lots", `ratio(503) needs a fraction or a percentage, like 0.01 or 1%; "lots" is neither`},
		{"ratio(503) < 1.5", `ratio(503) is a fraction of the scheduled requests: 1.5 is above 1 (for a percentage write 1.5%)`},
		{"ratio(503) < 150%", `ratio(503) is a fraction of the scheduled requests: 150% is above 100%`},
		{"ratio(503) < -1%", `ratio(503): the threshold -1% is negative`},
		{"ratio(503) < inf", `ratio(503): the threshold inf is not a finite number`},
		{"achieved > 2", `achieved is a fraction (sent / scheduled): 2 is above 1 (for a percentage write 2%)`},
		{"rps > 1%", `rps needs a number of 2xx responses per second, like 100; "1%" is not one`},
		{"rps > 1s", `rps needs a number of 2xx responses per second, like 100; "1s" is not one`},
		{"rps > -1", `rps: the threshold -1 is negative`},
		{"rps > NaN", `rps: the threshold NaN is not a finite number`},
		{"p99 < 1s stage 2", `unexpected "stage" after the value; a scope starts with "in", like "in stage 2"`},
		{"p99 < 1 s each stage", `unexpected "each" after the value; a scope starts with "in", like "in stage 2"`},
		{"p99 < 1s in", `missing scope after "in"; want run, stage N, each stage or each 10s`},
		{"p99 < 1s in somewhere", `unknown scope "somewhere"; want run, stage N, each stage or each 10s`},
		{"p99 < 1s in stage", `scope "stage": want a stage number from 1, like stage 2`},
		{"p99 < 1s in stage 0", `scope "stage 0": want a stage number from 1, like stage 2`},
		{"p99 < 1s in stage -1", `scope "stage -1": want a stage number from 1, like stage 2`},
		{"p99 < 1s in stage 0", `scope "stage 0": want a stage number from 1, like stage 2`},
		{"p99 < 1s in stage 99999999999999999999", `scope "stage 99999999999999999999": want a stage number from 1, like stage 2`},
		{"p99 < 1s in each", `scope "each": want each stage or each 10s`},
		{"p99 < 1s in each 10", `scope "each 10": the window needs a unit, like each 10s`},
		{"p99 < 1s in each 1.5s", `scope "each 1.5s": the window must be a whole number of seconds, like each 10s`},
		{"p99 < 1s in each 500ms", `scope "each 500ms": the window must be a whole number of seconds, like each 10s`},
		{"p99 < 1s in each 0s", `scope "each 0s": the window must be positive`},
		{"p99 < 1s in each -10s", `scope "each -10s": the window must be positive`},
		{"p99 < 1s in each tick", `scope "each tick": want each stage or a window length, like each 10s`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		pe, ok := err.(*ParseError)
		if !ok {
			t.Errorf("Parse(%q) error = %v (%T), want a *ParseError", tt.in, err, err)
			continue
		}
		if pe.Msg != tt.msg {
			t.Errorf("Parse(%q) message\n got %s\nwant %s", tt.in, pe.Msg, tt.msg)
		}
	}
}

func TestParseErrorText(t *testing.T) {
	_, err := Parse(" p99 < 250 ")
	want := `assert "p99 < 250": p99 needs a duration with a unit, like 250ms`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestParseAll(t *testing.T) {
	es, err := ParseAll([]string{"p99<1s", "ratio(5xx)<1%"})
	if err != nil || len(es) != 2 || es[1].Metric != "ratio(5xx)" {
		t.Fatalf("ParseAll = %v, %v", es, err)
	}
	_, err = ParseAll([]string{"p99<1s", "p99<1", "p99<2"})
	if want := `assert "p99<1": p99 needs a duration with a unit, like 250ms`; err == nil || err.Error() != want {
		t.Errorf("ParseAll error = %v, want the first bad one: %s", err, want)
	}
}

func TestValidate(t *testing.T) {
	es, err := ParseAll([]string{"p99<1s", "p99<1s in stage 3", "p99<1s in each stage", "p99 < 1s in stage 4"})
	if err != nil {
		t.Fatal(err)
	}
	three := []string{"warm-up", "step 1 @ 200 rps", "peak"}
	if err := Validate(es[:3], three); err != nil {
		t.Errorf("Validate(3 stages) = %v", err)
	}
	err = Validate(es, three)
	if want := `assert "p99 < 1s in stage 4": stage 4 does not exist; the plan has 3 stages`; err == nil || err.Error() != want {
		t.Errorf("Validate = %v, want %s", err, want)
	}
	err = Validate(es[1:2], three[:1])
	if want := `assert "p99<1s in stage 3": stage 3 does not exist; the plan has 1 stage`; err == nil || err.Error() != want {
		t.Errorf("Validate = %v, want %s", err, want)
	}
}

// TestStageByName: `in stage NAME` names a stage of the plan (quoted when
// it has spaces); Validate resolves it to its number, and refuses a name
// no stage has, or one two stages share.
func TestStageByName(t *testing.T) {
	names := []string{"warm-up", "step 1 @ 200 rps", "peak", "Peak"}
	for _, tc := range []struct {
		in    string
		stage int
		err   string
	}{
		{"p99 < 1s in stage peak", 3, ""},
		{"p99 < 1s in stage Peak", 4, ""},
		{`p99 < 1s in stage "step 1 @ 200 rps"`, 2, ""},
		{"p99 < 1s for checkout in stage warm-up", 1, ""},
		{"p99 < 1s in stage cool-down", 0, `no stage is called cool-down; the stages: warm-up, "step 1 @ 200 rps", peak, Peak`},
	} {
		es, err := ParseAll([]string{tc.in})
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if es[0].Scope.Kind != Stage || es[0].Scope.Stage != 0 || es[0].Scope.StageName == "" {
			t.Errorf("%s: scope %+v", tc.in, es[0].Scope)
		}
		err = Validate(es, names)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || es[0].Scope.Stage != tc.stage):
			t.Errorf("%s: stage %d, %v; want %d", tc.in, es[0].Scope.Stage, err, tc.stage)
		}
	}
	es, _ := ParseAll([]string{"p99 < 1s in stage peak"})
	if err := Validate(es, []string{"peak", "base", "peak"}); err == nil || !strings.Contains(err.Error(), "stages 1 and 3 are both called peak") {
		t.Errorf("a shared name: %v", err)
	}
	if _, err := Parse(`p99 < 1s in stage ""`); err == nil {
		t.Error(`stage "" accepted`)
	}
}

func TestParseMetric(t *testing.T) {
	for in, want := range map[string]string{"P99": "p99", " ratio( 5XX ) ": "ratio(5xx)", "Service.Max": "service.max", "rps": "rps"} {
		got, _, err := ParseMetric(in)
		if err != nil || got != want {
			t.Errorf("ParseMetric(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, _, err := ParseMetric("p99 < 1s"); err == nil {
		t.Error("ParseMetric accepted a whole assertion")
	}
}

func TestFormatDuration(t *testing.T) {
	tests := map[time.Duration]string{
		0: "0s", time.Nanosecond: "1ns", 1500 * time.Nanosecond: "1.5us", 800 * time.Microsecond: "800us",
		250 * time.Millisecond: "250ms", 1500 * time.Millisecond: "1.5s", 90 * time.Second: "90s",
		time.Second + time.Nanosecond: "1.000000001s",
	}
	for d, want := range tests {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%d) = %q, want %q", d, got, want)
		}
		if back, err := time.ParseDuration(want); err != nil || back != d {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", want, back, err, d)
		}
	}
}
