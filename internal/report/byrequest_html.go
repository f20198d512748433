package report

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// requestView is the HTML section of one request name: its percentile
// spectrum per stage and its stage table, both read from by_request.
type requestView struct {
	Name   string
	Chart  svgChart
	Stages table
}

// requestsView builds the "Requests" section: a table of the run's
// requests, then a section per request (most scheduled first).
func requestsView(r *result.Result) (table, []requestView) {
	if !r.HasByRequest() {
		return table{}, nil
	}
	names, rows := requestRows(&r.Total)
	t := table{Head: []cell{text("request"), num("share"), num("scheduled"), num("2xx/s"),
		num("2xx"), num(shedLabel(r.Total.Status)), num("other"), num("errors"), num("not sent"),
		num("p50"), num("p90"), num("p99"), num("p99.9"), num("max")}}
	t.Head[1].Title = "share of the run's scheduled requests"
	var views []requestView
	for i := range rows {
		s := &rows[i]
		o := outcomeOf(s.Status, s.Errors, s.NotSent)
		pct := func(n int64) cell {
			c := num(numfmt.Percent(ratio(n, s.Scheduled)))
			c.Title = numfmt.Int(n) + " requests"
			return c
		}
		lat := func(v float64) cell { return num(latCell(s.Latency, v)) }
		t.Rows = append(t.Rows, row{Cells: []cell{
			{Text: clipName(names[i], 60), Title: names[i]}, num(share(s.Scheduled, r.Total.Scheduled)), num(numfmt.Int(s.Scheduled)),
			num(numfmt.Rate(s.ThroughputRPS)), pct(o.OK2xx), pct(o.S503), pct(o.OtherStatus), pct(o.Errors), pct(o.NotSent),
			lat(s.Latency.P50), lat(s.Latency.P90), lat(s.Latency.P99), lat(s.Latency.P999), lat(s.Latency.Max),
		}})
		views = append(views, requestSection(r, names[i], i))
	}
	return t, views
}

// requestSection draws one request as the report draws the run: a result
// whose stages are the request's records in each stage.
func requestSection(r *result.Result, name string, k int) requestView {
	rv := &result.Result{Total: requestStage(&r.Total, name)}
	for i := range r.Stages {
		rv.Stages = append(rv.Stages, requestStage(&r.Stages[i], name))
	}
	// Offered: the request's own scheduled rate (the plan's is the whole
	// traffic's).
	for _, st := range stagesOf(rv) {
		if l := st.LengthS(); l > 0 {
			st.OfferedRPS = float64(st.Scheduled) / l
		}
	}
	c := spectrumChart(rv)
	c.ID = fmt.Sprintf("chart-spectrum-request-%d", k+1)
	c.Title = "Percentile spectrum per stage: " + clipName(name, 60)
	st := stageTable(rv)
	st.Head = st.Head[:len(st.Head)-1] // no in-flight count per request
	st.Head[1].Title = "this request's scheduled requests per second"
	for i := range st.Rows {
		st.Rows[i].Cells = st.Rows[i].Cells[:len(st.Rows[i].Cells)-1]
	}
	return requestView{Name: name, Chart: c, Stages: st}
}

// stagesOf points at every stage of r and its total.
func stagesOf(r *result.Result) []*result.Stage {
	out := []*result.Stage{&r.Total}
	for i := range r.Stages {
		out = append(out, &r.Stages[i])
	}
	return out
}

// requestStage is a stage's record of one request, empty (with the
// stage's bounds) when the stage had none of it.
func requestStage(st *result.Stage, name string) result.Stage {
	if q := st.ByRequest[name]; q != nil {
		return q.AsStage(st)
	}
	empty := result.RequestStats{}
	return empty.AsStage(st)
}
