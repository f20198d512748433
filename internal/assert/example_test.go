package assert_test

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Parse accepts the grammar's spellings and String gives the canonical form.
func ExampleParse() {
	for _, s := range []string{
		"p99<250ms",
		"P99.9 <= 1.5S in EACH 10s",
		"service.p99 < 800µs in stage 2",
		"2xx.mean < .5s",
		"ratio( 5XX ) < 0.015",
		"ratio(503) <= 1 % in each stage",
		"ratio(timeout) < 0.1%",
		"achieved >= 0.995",
		"rps >= 100 in each 1m",
	} {
		e, err := assert.Parse(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-33s -> %s\n", s, e)
	}
	// Output:
	// p99<250ms                         -> p99 < 250ms
	// P99.9 <= 1.5S in EACH 10s         -> p99.9 <= 1.5s in each 10s
	// service.p99 < 800µs in stage 2    -> service.p99 < 800us in stage 2
	// 2xx.mean < .5s                    -> 2xx.mean < 500ms
	// ratio( 5XX ) < 0.015              -> ratio(5xx) < 1.5%
	// ratio(503) <= 1 % in each stage   -> ratio(503) <= 1% in each stage
	// ratio(timeout) < 0.1%             -> ratio(timeout) < 0.1%
	// achieved >= 0.995                 -> achieved >= 99.5%
	// rps >= 100 in each 1m             -> rps >= 100 in each 60s
}

// Errors name the assertion and what is wrong with it.
func ExampleParse_errors() {
	for _, s := range []string{
		"p99 < 250",
		"ratio(503) < 250ms",
		"ratio(503) < 1.5",
		"rps > 1%",
		"p99 < -1ms",
		"p999 < 1s",
		"p99 == 1s",
		"p99 < 1s stage 2",
		"p99 < 1s in each 1.5s",
	} {
		_, err := assert.Parse(s)
		fmt.Println(err)
	}
	// Output:
	// assert "p99 < 250": p99 needs a duration with a unit, like 250ms
	// assert "ratio(503) < 250ms": ratio(503) needs a fraction or a percentage, like 0.01 or 1%, not a duration
	// assert "ratio(503) < 1.5": ratio(503) is a fraction of the scheduled requests: 1.5 is above 1 (for a percentage write 1.5%)
	// assert "rps > 1%": rps needs a number of 2xx responses per second, like 100; "1%" is not one
	// assert "p99 < -1ms": p99: the threshold -1ms is negative
	// assert "p999 < 1s": unknown metric "p999"; did you mean p99.9?
	// assert "p99 == 1s": unknown operator "=="; use <, <=, > or >=
	// assert "p99 < 1s stage 2": unexpected "stage" after the value; a scope starts with "in", like "in stage 2"
	// assert "p99 < 1s in each 1.5s": scope "each 1.5s": the window must be a whole number of seconds, like each 10s
}

// Validate refuses a stage the plan does not have, before anything is
// sent, and resolves a stage named to its number.
func ExampleValidate() {
	stages := []string{"warm-up", "steady", "peak"}
	es, _ := assert.ParseAll([]string{"p99 < 250ms", "p99 < 400ms in stage 4"})
	fmt.Println(assert.Validate(es, stages))
	es, _ = assert.ParseAll([]string{"p99 < 400ms in stage peak"})
	fmt.Println(assert.Validate(es, stages), es[0].Scope)
	es, _ = assert.ParseAll([]string{"p99 < 400ms in stage spike"})
	fmt.Println(assert.Validate(es, stages))
	// Output:
	// assert "p99 < 400ms in stage 4": stage 4 does not exist; the plan has 3 stages
	// <nil> stage 3
	// assert "p99 < 400ms in stage spike": no stage is called spike; the stages: warm-up, steady, peak
}

// Evaluate yields one result.Assertion per part: "each stage" skips stages
// with nothing scheduled, and a scope without data fails with a Note.
func ExampleEvaluate() {
	h := result.NewHistogram()
	for ms := int64(1); ms <= 100; ms++ { // 1 ms .. 100 ms
		_ = h.RecordValue(ms * 1_000_000)
	}
	lat, _ := result.EncodeHist(h)
	stage1 := result.Stage{
		Scheduled: 100, Sent: 100, Completed: 100, ThroughputRPS: 98,
		Status: map[string]int64{"200": 98, "503": 2},
		HDR:    result.StageHDR{Latency: lat},
	}
	stage2 := result.Stage{ // every request timed out
		Scheduled: 50, Sent: 50, Completed: 50,
		Errors: map[string]int64{"timeout": 50},
	}
	r := &result.Result{Stages: []result.Stage{stage1, stage2, {}}, Total: stage1}

	es, _ := assert.ParseAll([]string{
		"p99 < 100ms",
		"p99 <= 100ms in stage 1",
		"ratio(503) < 1%",
		"p50 < 250ms in each stage",
	})
	as, _ := assert.Evaluate(r, es)
	for _, a := range as {
		line := fmt.Sprintf("%-26s %-8s observed %-7.4g pass %v", a.Expr, a.Scope, a.Observed, a.Pass)
		if a.Note != "" {
			line += " (" + a.Note + ")"
		}
		fmt.Println(line)
	}
	fmt.Println("all pass:", assert.AllPass(as))
	// Output:
	// p99 < 100ms                run      observed 0.09902 pass true
	// p99 <= 100ms in stage 1    stage 1  observed 0.09902 pass true
	// ratio(503) < 1%            run      observed 0.02    pass false
	// p50 < 250ms in each stage  stage 1  observed 0.05    pass true
	// p50 < 250ms in each stage  stage 2  observed 0       pass false (no responses)
	// all pass: false
}
