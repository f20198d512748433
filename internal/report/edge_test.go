package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

type edgeCase struct {
	name string
	r    *result.Result
}

// edgeResults are results at the edges of what a report must render: no
// analysis, no samples, no scrape, stages without responses, interrupted
// runs, and nothing at all.
func edgeResults() []edgeCase {
	empty := &result.Result{Schema: result.Schema}

	// An interrupted run against a target that refused every connection.
	dead := &result.Result{
		Schema: result.Schema, Tool: result.Tool{Name: "bploadgen", Version: "dev"},
		Target:  result.Target{URL: "http://user:hunter2@127.0.0.1:1/", Method: "POST"},
		Arrival: "uniform", StartedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		DurationS: 10, ElapsedS: 3.5, Interrupted: true, HDR: result.DefaultHDRConfig(),
		Plan: result.Plan{Profile: "constant"},
	}
	st := result.Stage{Index: 1, Name: "constant", StartS: 0, EndS: 10, OfferedRPS: 50, Scheduled: 175, Sent: 175, Completed: 175,
		Status: map[string]int64{}, Errors: map[string]int64{"connect": 170, "canceled": 5}}
	dead.Stages = []result.Stage{st}
	dead.Total = st
	for i := 0; i < 4; i++ {
		n := int64(50)
		if i == 3 {
			n = 25
		}
		dead.Timeline = append(dead.Timeline, result.Window{TS: float64(i), DurationS: 1, OfferedRPS: 50, Scheduled: n, Sent: n,
			Completed: n, Status: map[string]int64{}, Errors: map[string]int64{"connect": n}})
	}
	dead.Assertions = []result.Assertion{{Expr: "p99<100ms", Scope: "run", Metric: "p99", Op: "<", Value: 0.1, Pass: false, Note: "no responses"}}

	// The step fixture without analysis, samples or scrape, and with an
	// extra stage that got no responses.
	bare := stepFixture()
	bare.Analysis, bare.Samples, bare.Assertions = nil, nil, nil
	for i := range bare.Timeline {
		bare.Timeline[i].Scrape = nil
	}
	last := bare.Stages[len(bare.Stages)-1]
	bare.Stages = append(bare.Stages, result.Stage{Index: last.Index + 1, Name: "drain", StartS: last.EndS, EndS: last.EndS + 5,
		Status: map[string]int64{}, Errors: map[string]int64{}})
	return []edgeCase{{"empty", empty}, {"dead-target", dead}, {"bare", bare}}
}

func TestEdgeCases(t *testing.T) {
	for _, e := range edgeResults() {
		t.Run(e.name, func(t *testing.T) {
			for _, rd := range renderers {
				var b bytes.Buffer
				if err := rd.render(&b, e.r); err != nil {
					t.Errorf("%s: %v", rd.ext, err)
				}
				if b.Len() == 0 && rd.ext != "csv" && rd.ext != "hlog" {
					t.Errorf("%s: empty output", rd.ext)
				}
				if strings.Contains(b.String(), "hunter2") {
					t.Errorf("%s: the URL's password leaked", rd.ext)
				}
			}
		})
	}
}
