package report

import (
	"bytes"
	"html"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

func TestSheddingSummary(t *testing.T) {
	q, one := 16, 1
	for _, tc := range []struct {
		s    *result.Shedding
		want string
	}{
		{nil, ""},
		{&result.Shedding{Mechanism: "queue-timeout", Workers: 4, WorkersCI: 0.5, QueueTimeoutS: 0.0201, QueueTimeoutCIS: 0.0008, Confidence: 0.98, Source: "recognised"},
			"queue-timeout: c = 4 ± 0.5 workers; a request waits at most 20.1ms ± 800µs for one, then gets 503 (recognised from the run; confidence 98%)"},
		{&result.Shedding{Mechanism: "rate-limit", RateRPS: 200.4, RateCIRPS: 3, Burst: 11, Confidence: 1, Source: "recognised"},
			"rate-limit: a rate limit of 200 ± 3 requests/s, burst 11, the excess refused at once (recognised from the run; confidence 100%)"},
		{&result.Shedding{Mechanism: "bounded-queue", Workers: 8, Queue: &q, Limit: 24, Confidence: 0.9, Source: "given"},
			"bounded-queue: c = 8 workers; 16 waiting slots (K = 24), 503 at once when full (given; confidence 90%)"},
		{&result.Shedding{Mechanism: "bounded-queue", Workers: 7, Queue: &one, Limit: 8, Confidence: 0.5, Source: "recognised"},
			"bounded-queue: c = 7 workers; 1 waiting slot (K = 8), 503 at once when full (recognised from the run; confidence 50%)"},
		{&result.Shedding{Mechanism: "rate-limit", RateRPS: 303, RateCIRPS: 10.8, Queue: &q, Confidence: 1, Source: "recognised"},
			"rate-limit: a rate limit of 303 ± 10.8 requests/s, up to 16 more delayed to its pace, the excess refused at once (recognised from the run; confidence 100%)"},
		{&result.Shedding{Mechanism: "queue-timeout", Workers: 1, QueueTimeoutS: 0.00185, Source: "given"},
			"queue-timeout: c = 1 worker; a request waits at most 1.85ms for one, then gets 503 (given; confidence 0%)"},
		{&result.Shedding{Mechanism: "unbounded", Confidence: 0.99, Source: "recognised", Evidence: []string{"the mean 2xx latency grew within stage 4"}},
			"unbounded: nothing shed while the latency grew: an unbounded queue (recognised from the run; confidence 99%)"},
		// Timeouts without growth: a listen backlog, unaccepted connections.
		{&result.Shedding{Mechanism: "unbounded", Confidence: 0.99, Source: "recognised", Evidence: []string{"timed out: 1471 of the 5021 requests", "x"}},
			"unbounded: nothing shed: past capacity the excess waited until it timed out, where a server that sheds answers 503 (recognised from the run; confidence 99%)"},
		{&result.Shedding{Mechanism: "none", Confidence: 0.7, Source: "recognised"},
			"none: nothing shed and no overload seen: how it would shed is unknown (recognised from the run; confidence 70%)"},
		// An unknown mechanism whose evidence begins with a known reason
		// says it (a retry run's summary read "no mechanism explains how").
		{&result.Shedding{Mechanism: "unknown", Confidence: 1, Source: "recognised", Evidence: []string{"collapse: at stage 3, most failed", "x"}},
			"unknown: collapse: at stage 3, most failed (recognised from the run; confidence 100%)"},
		{&result.Shedding{Mechanism: "unknown", Confidence: 1, Source: "recognised", Evidence: []string{"the clients retried (7 retries): no", "x"}},
			"unknown: the clients retried (7 retries): no (recognised from the run; confidence 100%)"},
		{&result.Shedding{Mechanism: "unknown", Confidence: 1, Source: "recognised", Evidence: []string{"shut out: at stage 4 it served 0 2xx/s", "x"}},
			"unknown: shut out: at stage 4 it served 0 2xx/s (recognised from the run; confidence 100%)"},
		{&result.Shedding{Mechanism: "unknown", Confidence: 1, Source: "recognised", Evidence: []string{"without Server-Timing the overhead is unknown"}},
			"unknown: load was shed, but no mechanism explains how (recognised from the run; confidence 100%)"},
	} {
		if got := SheddingSummary(tc.s); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

// The shedding and its evidence reach the HTML, Markdown and the reading;
// evidence is text, never markup.
func TestSheddingRendered(t *testing.T) {
	r := loadFixture(t)
	if r.Analysis == nil {
		t.Skip("the fixture has no analysis")
	}
	r.Analysis.Shedding = &result.Shedding{Mechanism: "queue-timeout", Workers: 4, QueueTimeoutS: 0.02, Confidence: 0.97, Source: "recognised",
		Evidence: []string{"<b>1403</b> shed responses came back late"}}
	var h, md, rd bytes.Buffer
	if err := WriteHTML(&h, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := Reading(&rd, r); err != nil {
		t.Fatal(err)
	}
	sum := SheddingSummary(r.Analysis.Shedding)
	if !strings.Contains(h.String(), html.EscapeString(sum)) || !strings.Contains(h.String(), "&lt;b&gt;1403&lt;/b&gt;") || strings.Contains(h.String(), "<b>1403") {
		t.Errorf("HTML lacks the shedding or does not escape its evidence")
	}
	if !strings.Contains(md.String(), "**Shedding**: queue-timeout") {
		t.Errorf("Markdown lacks the shedding:\n%s", md.String())
	}
	if !strings.Contains(rd.String(), "How it shed: queue-timeout") {
		t.Errorf("reading lacks the shedding:\n%s", rd.String())
	}
}
