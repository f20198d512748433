package report

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

const mixFixturePath = "testdata/result-mix.json"

// mixFixture is a synthetic 3-stage run of a three-request mix (mergetest:
// seeded raw requests aggregated the way a run records them), with gates
// scoped to requests evaluated on it.
func mixFixture() *result.Result {
	spec := mergetest.Spec{
		Start: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), URL: "http://127.0.0.1:8080/", Profile: "step",
		Stages: []result.PlanStage{
			{Name: "step 1 @ 100 rps", StartS: 0, DurationS: 3, Rate: 100},
			{Name: "step 2 @ 200 rps", StartS: 3, DurationS: 3, Rate: 200},
			{Name: "step 3 @ 300 rps", StartS: 6, DurationS: 3, Rate: 300},
		},
		Arrival: "poisson", Seed: 16, Service: 3 * time.Millisecond, Reject: 0.02, Timeout: 0.002,
		Mix: []mergetest.MixEntry{{Name: "home", Weight: 7}, {Name: "GET /search", Weight: 2, Slow: 3}, {Name: "checkout", Weight: 1, Slow: 8}},
	}
	rs, _ := mergetest.MustBuild(spec)
	r := rs[0]
	r.TimerSlackS = 50e-6 // --timer-slack auto's usual choice: the text says it beside the send lag
	exprs, err := assert.ParseAll([]string{"p99 < 50ms", "p99 < 20ms for home", `p99 < 20ms for "GET /search" in each stage`, "ratio(5xx) < 5% for checkout"})
	if err != nil {
		panic(err)
	}
	if r.Assertions, err = assert.Evaluate(r, exprs); err != nil {
		panic(err)
	}
	return r
}

func loadMixFixture(t *testing.T) *result.Result {
	t.Helper()
	r, err := result.ReadFile(mixFixturePath)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return r
}

// TestGoldenByRequest renders the mix fixture in every format that shows
// the breakdown by request.
func TestGoldenByRequest(t *testing.T) {
	r := loadMixFixture(t)
	for _, rd := range []struct {
		ext    string
		render func(*bytes.Buffer, *result.Result) error
	}{
		{"txt", func(w *bytes.Buffer, r *result.Result) error { return Text(w, r) }},
		{"md", func(w *bytes.Buffer, r *result.Result) error { return WriteMarkdown(w, r) }},
		{"junit.xml", func(w *bytes.Buffer, r *result.Result) error { return WriteJUnit(w, r) }},
		{"requests.csv", func(w *bytes.Buffer, r *result.Result) error { return WriteRequestsCSV(w, r) }},
		{"html", func(w *bytes.Buffer, r *result.Result) error { return WriteHTML(w, r) }},
	} {
		t.Run(rd.ext, func(t *testing.T) {
			var b bytes.Buffer
			if err := rd.render(&b, r); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "result-mix."+rd.ext, b.Bytes())
			if rd.ext == "html" {
				checkGolden(t, "result-mix.outline.txt", []byte(htmlOutline(b.String())))
			}
		})
	}
}

// TestByRequestContent checks what the goldens must show, so that an
// -update cannot bless a rendering that lost the breakdown.
func TestByRequestContent(t *testing.T) {
	r := loadMixFixture(t)
	home := r.Total.ByRequest["home"]
	var txt, md, junit, csv, html bytes.Buffer
	for _, err := range []error{Text(&txt, r), WriteMarkdown(&md, r), WriteJUnit(&junit, r), WriteRequestsCSV(&csv, r), WriteHTML(&html, r)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"home", "GET /search", "checkout"} {
		for format, out := range map[string]string{"text": txt.String(), "md": md.String(), "csv": csv.String(), "html": html.String()} {
			if !strings.Contains(out, name) {
				t.Errorf("%s lacks request %q", format, name)
			}
		}
	}
	if !strings.Contains(txt.String(), "home") || !strings.Contains(txt.String(), latCell(home.Latency, home.Latency.P99)) {
		t.Errorf("text lacks home's p99 %s", latCell(home.Latency, home.Latency.P99))
	}
	if n := strings.Count(junit.String(), `classname="bploadgen.assertions.request.`); n != 5 { // home, search ×3 stages, checkout
		t.Errorf("%d request-scoped JUnit cases, want 5", n)
	}
	// CSV: 3 stages + total, 3 requests each, and a header.
	if lines := strings.Count(csv.String(), "\n"); lines != 1+4*3 {
		t.Errorf("requests CSV has %d lines", lines)
	}
	if n := strings.Count(html.String(), `id="chart-spectrum-request-`); n != 3 {
		t.Errorf("%d request spectrum charts, want 3", n)
	}
	// A result without a breakdown renders no request section.
	r.Total.ByRequest = nil
	html.Reset()
	if err := WriteHTML(&html, r); err != nil || strings.Contains(html.String(), `id="requests"`) {
		t.Errorf("a request section without a breakdown (%v)", err)
	}
}

// TestTargetLabel: a report's header says what was sent: the one request,
// a mix by its request names, a replay by its requests.
func TestTargetLabel(t *testing.T) {
	byReq := func(names ...string) map[string]*result.RequestStats {
		m := map[string]*result.RequestStats{}
		for _, n := range names {
			m[n] = &result.RequestStats{}
		}
		return m
	}
	many := make([]string, 0, 101)
	for i := 0; i < 100; i++ {
		many = append(many, "GET /"+strconv.Itoa(i))
	}
	for _, tt := range []struct {
		arrival string
		sched   int64
		by      map[string]*result.RequestStats
		want    string
	}{
		{"uniform", 10, nil, "POST http://h/"},
		{"poisson", 10, byReq("a", "b", "c"), "mix of 3 requests, base http://h/"},
		{"uniform", 10, byReq("a"), "mix of 1 request, base http://h/"},
		{"uniform", 10, byReq(append(many, result.OtherRequests)...), "mix of more than 100 requests, base http://h/"},
		{"replay", 1234, byReq("GET /a", "GET /b"), "replay of 1,234 requests (2 names), base http://h/"},
		{"replay", 1, byReq("GET /a"), "replay of 1 request (1 name), base http://h/"},
	} {
		r := &result.Result{Target: result.Target{Method: "POST", URL: "http://h/"}, Arrival: tt.arrival}
		r.Total.Scheduled, r.Total.ByRequest = tt.sched, tt.by
		if got := targetLabel(r, r.Target.URL); got != tt.want {
			t.Errorf("%s with %d names: %q, want %q", tt.arrival, len(tt.by), got, tt.want)
		}
	}
}
