package report

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// readJUnit parses a JUnit document into the schema structs, checking the
// attributes the Jenkins and GitLab schemas require.
func readJUnit(t *testing.T, data []byte) junitSuites {
	t.Helper()
	var doc junitSuites
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, data)
	}
	if doc.XMLName.Local != "testsuites" {
		t.Fatalf("root element %q, want testsuites", doc.XMLName.Local)
	}
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("missing XML declaration")
	}
	// A second, untyped pass: every element and attribute must be one the
	// JUnit schema knows, so a strict reader rejects nothing.
	known := map[string][]string{
		"testsuites": {"name", "tests", "failures", "errors", "time"},
		"testsuite":  {"name", "tests", "failures", "errors", "skipped", "time", "timestamp"},
		"properties": {}, "property": {"name", "value"},
		"testcase": {"name", "classname", "time"}, "failure": {"message", "type"}, "system-out": {},
	}
	required := map[string][]string{
		"testsuite": {"name", "tests", "failures", "errors"}, "testcase": {"name", "classname"},
		"property": {"name", "value"}, "failure": {"message"},
	}
	dec = xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		allowed, ok := known[se.Name.Local]
		if !ok {
			t.Errorf("unknown element <%s>", se.Name.Local)
			continue
		}
		have := map[string]bool{}
		for _, a := range se.Attr {
			have[a.Name.Local] = true
			if !contains(allowed, a.Name.Local) {
				t.Errorf("<%s> has unknown attribute %s", se.Name.Local, a.Name.Local)
			}
			switch a.Name.Local {
			case "tests", "failures", "errors", "skipped":
				if _, err := strconv.Atoi(a.Value); err != nil {
					t.Errorf("<%s %s=%q>: not an integer", se.Name.Local, a.Name.Local, a.Value)
				}
			case "time":
				if _, err := strconv.ParseFloat(a.Value, 64); err != nil {
					t.Errorf("<%s time=%q>: not a number", se.Name.Local, a.Value)
				}
			}
		}
		for _, r := range required[se.Name.Local] {
			if !have[r] {
				t.Errorf("<%s> lacks required attribute %s", se.Name.Local, r)
			}
		}
	}
	return doc
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func TestJUnitReadBack(t *testing.T) {
	r := loadFixture(t)
	var b bytes.Buffer
	if err := WriteJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	doc := readJUnit(t, b.Bytes())
	if len(doc.Suites) != 1 {
		t.Fatalf("%d suites, want 1", len(doc.Suites))
	}
	s := doc.Suites[0]
	pass, fail := assertionCounts(r.Assertions)
	if s.Tests != pass+fail || s.Failures != fail || doc.Tests != s.Tests || doc.Failures != fail || len(s.Cases) != s.Tests {
		t.Fatalf("counts: suites %d/%d, suite %d/%d, %d cases; want %d tests, %d failures",
			doc.Tests, doc.Failures, s.Tests, s.Failures, len(s.Cases), pass+fail, fail)
	}
	names := map[string]bool{}
	for i, c := range s.Cases {
		a := r.Assertions[i]
		if names[c.Name] {
			t.Errorf("duplicate test name %q", c.Name)
		}
		names[c.Name] = true
		if !strings.Contains(c.Name, a.Expr) || !strings.Contains(c.Name, a.Scope) {
			t.Errorf("case %q does not name %q and %q", c.Name, a.Expr, a.Scope)
		}
		if a.Pass != (c.Failure == nil) {
			t.Errorf("case %q: pass=%v but failure=%v", c.Name, a.Pass, c.Failure)
		}
		if c.Failure != nil {
			obs, thr := fmtMetric(a.Metric, a.Observed), fmtMetric(a.Metric, a.Value)
			if !strings.Contains(c.Failure.Message, obs) || !strings.Contains(c.Failure.Message, thr) || !strings.Contains(c.Failure.Message, a.Op) {
				t.Errorf("failure message %q lacks observed %s or threshold %s %s", c.Failure.Message, obs, a.Op, thr)
			}
		}
	}
	if strings.Contains(b.String(), "s3cr3t") {
		t.Errorf("a secret reached the JUnit file")
	}
	// The p99 in the fixture's first failing case is a duration with a unit.
	if !strings.Contains(b.String(), `message="p99 = `) || !strings.Contains(b.String(), "ms, want &lt; 25ms") {
		t.Errorf("failure messages lack units:\n%s", b.String())
	}
}

func TestJUnitNoAssertions(t *testing.T) {
	r := loadFixture(t)
	r.Assertions = nil
	var b bytes.Buffer
	if err := WriteJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	doc := readJUnit(t, b.Bytes())
	if doc.Tests != 0 || len(doc.Suites) != 1 || doc.Suites[0].Tests != 0 || len(doc.Suites[0].Cases) != 0 {
		t.Fatalf("want one empty suite, got %+v", doc)
	}
}

// TestHLogReadBack reads the interval log with hdrhistogram-go's reader:
// one untagged interval per window whose count is the window's responses,
// and a total equal to every response of the run.
func TestHLogReadBack(t *testing.T) {
	r := loadFixture(t)
	var b bytes.Buffer
	if err := WriteHLog(&b, r); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{"#[StartTime: ", "#[BaseTime: ", "#[Histogram log format version 1.3]", "Tag=latency_2xx,", "Tag=service_time,"} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	rd := hdr.NewHistogramLogReader(strings.NewReader(text))
	var untagged []*hdr.Histogram
	tagged := map[string]int64{}
	for {
		h, err := rd.NextIntervalHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if h == nil {
			break
		}
		if h.Tag() == "" {
			untagged = append(untagged, h)
		} else {
			tagged[h.Tag()] += h.TotalCount()
		}
	}
	if len(untagged) != len(r.Timeline) {
		t.Fatalf("%d untagged intervals, want one per window (%d)", len(untagged), len(r.Timeline))
	}
	var total int64
	for i, h := range untagged {
		w := r.Timeline[i]
		o := outcomeOf(w.Status, w.Errors, w.NotSent)
		if h.TotalCount() != o.responses() {
			t.Errorf("window %d: %d values in the log, %d responses in the result", i, h.TotalCount(), o.responses())
		}
		wantStart := r.StartedAt.UnixMilli() + int64(math.Round(w.TS*1000))
		if h.StartTimeMs() != wantStart || h.EndTimeMs()-h.StartTimeMs() != int64(math.Round(w.DurationS*1000)) {
			t.Errorf("window %d: interval %d..%d ms, want start %d, length %g s", i, h.StartTimeMs(), h.EndTimeMs(), wantStart, w.DurationS)
		}
		if w.MaxS > 0 {
			if got := float64(h.Max()) / 1e9; math.Abs(got-w.MaxS) > w.MaxS*0.002 {
				t.Errorf("window %d: max %g s in the log, %g s in the result", i, got, w.MaxS)
			}
		}
		total += h.TotalCount()
	}
	if want := r.Total.Responses(); total != want {
		t.Errorf("log holds %d responses, the result %d", total, want)
	}
	if tagged[hlogTagService] != total {
		t.Errorf("service_time intervals hold %d values, want %d", tagged[hlogTagService], total)
	}
	n2xx, _ := result.Count(r.Total.Status, nil, 0, "2xx")
	if tagged[hlogTag2xx] != n2xx {
		t.Errorf("latency_2xx intervals hold %d values, want %d", tagged[hlogTag2xx], n2xx)
	}
}

func TestHLogInvalidHistogram(t *testing.T) {
	r := loadFixture(t)
	r.Timeline[3].HDR.Latency = "not a histogram"
	err := WriteHLog(io.Discard, r)
	if err == nil || !strings.Contains(err.Error(), "window 4") {
		t.Fatalf("err = %v, want one naming window 4", err)
	}
}

func TestCSVReadBack(t *testing.T) {
	r := loadFixture(t)
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(r.Timeline)+1 {
		t.Fatalf("%d rows, want header + %d windows", len(recs), len(r.Timeline))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, want := range []string{"t_s", "offered_rps", "scheduled", "sent", "not_sent", "completed", "status_2xx", "status_503",
		"status_other", "error_timeout", "error_connect", "error_reset", "error_other", "error_canceled",
		"p50_s", "p90_s", "p99_s", "max_s", "in_flight_mean", "in_flight_max", "throughput_rps", "scrape:bploadgen_target_queue_depth"} {
		if _, ok := col[want]; !ok {
			t.Errorf("no column %q in %v", want, recs[0])
		}
	}
	for i, w := range r.Timeline {
		rec := recs[i+1]
		get := func(name string) float64 {
			v, err := strconv.ParseFloat(rec[col[name]], 64)
			if err != nil {
				t.Fatalf("row %d %s=%q: %v", i+1, name, rec[col[name]], err)
			}
			return v
		}
		o := outcomeOf(w.Status, w.Errors, w.NotSent)
		if get("t_s") != w.TS || int64(get("scheduled")) != w.Scheduled || get("p99_s") != w.P99S ||
			int64(get("status_503")) != o.S503 || int64(get("status_2xx")) != o.OK2xx ||
			get("scrape:bploadgen_target_queue_depth") != w.Scrape["bploadgen_target_queue_depth"] {
			t.Errorf("row %d does not match window %d: %v", i+1, i, rec)
		}
		var sum int64
		for _, c := range []string{"status_2xx", "status_503", "status_other", "error_timeout", "error_connect", "error_reset", "error_other", "error_canceled", "not_sent"} {
			sum += int64(get(c))
		}
		if sum != w.Scheduled {
			t.Errorf("row %d: outcomes add up to %d, scheduled %d", i+1, sum, w.Scheduled)
		}
	}
}

func TestMarkdown(t *testing.T) {
	r := loadFixture(t)
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if first := strings.SplitN(md, "\n", 2)[0]; !strings.Contains(first, "FAIL") || !strings.Contains(first, "❌") {
		t.Errorf("first line %q is not the verdict", first)
	}
	for _, bad := range []string{"<script", "s3cr3t", "<img"} {
		if strings.Contains(md, bad) {
			t.Errorf("Markdown contains %q", bad)
		}
	}
	// Every table row has the same number of cells.
	cells := -1
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
		if cells >= 0 && n != cells {
			t.Errorf("table row %q has %d separators, want %d", line, n, cells)
		}
		cells = n
	}
	pass, fail := assertionCounts(r.Assertions)
	if strings.Count(md, "- ✅") != pass || strings.Count(md, "- ❌") != fail {
		t.Errorf("verdict marks: want %d ✅ and %d ❌", pass, fail)
	}
}

func TestMdEscape(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":               `a\|b`,
		"<script>":          "&lt;script&gt;",
		"**x** [l](j:s)":    `\*\*x\*\* \[l\]\(j:s\)`,
		"line\nbreak":       "line break",
		"@team $x$ ~~s~~ _": `\@team \$x\$ \~\~s\~\~ \_`,
		"p99<250ms":         "p99&lt;250ms",
	} {
		if got := mdEscape(in); got != want {
			t.Errorf("mdEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMdEscape: whatever the input, the output is one line of plain text
// that cannot end a table cell or open a tag.
func FuzzMdEscape(f *testing.F) {
	for _, s := range []string{"a|b", "<script>alert(1)</script>", "`code`", "[x](y)", "\\|", "\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := mdEscape(s)
		if strings.ContainsAny(out, "<>\r\n") {
			t.Fatalf("mdEscape(%q) = %q keeps markup or a line break", s, out)
		}
		// Every pipe is escaped by an odd run of backslashes.
		for i := 0; i < len(out); i++ {
			if out[i] != '|' {
				continue
			}
			n := 0
			for j := i - 1; j >= 0 && out[j] == '\\'; j-- {
				n++
			}
			if n%2 == 0 {
				t.Fatalf("mdEscape(%q) = %q has an unescaped pipe at %d", s, out, i)
			}
		}
	})
}
