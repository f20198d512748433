package report

import (
	"sort"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// outcome splits a set of counts into the classes every rendering shows.
// S503 is the shed responses, 503 and 429 (a rate limit's status), as
// block_ratio counts them; S429 is the 429s among them, for the CSV's
// status_503 and status_other, which keep to their names.
type outcome struct {
	OK2xx, S503, S429, OtherStatus, Errors, NotSent int64
}

// shedRatio is the share of a stage's scheduled requests shed, as the
// analysis's block_ratio counts them: answered 503 or 429, or the codes
// r's analysis counted as shed (shedding.statuses: nginx's 502).
func shedRatio(r *result.Result, s *result.Stage) float64 {
	if s.Scheduled == 0 {
		return 0
	}
	codes := []string{"503", "429"}
	if a := r.Analysis; a != nil && a.Shedding != nil && len(a.Shedding.Statuses) > 0 {
		codes = a.Shedding.Statuses
	}
	var n int64
	for _, c := range codes {
		n += s.Status[c]
	}
	return float64(n) / float64(s.Scheduled)
}

// shedLabel heads the shed column: "503", or "503/429" when the counts
// hold a 429 (it counted as "other" in the tables and as "errors" in the
// Markdown before, against HAProxy denying with 429).
func shedLabel(status map[string]int64) string {
	if status["429"] > 0 {
		return "503/429"
	}
	return "503"
}

// shedAnswers names the shed answers in the reading: shedLabel's, or the
// codes the analysis counted as shed when they are not the default.
func shedAnswers(r *result.Result) string {
	if a := r.Analysis; a != nil && a.Shedding != nil && len(a.Shedding.Statuses) > 0 {
		return strings.Join(a.Shedding.Statuses, "/")
	}
	return shedLabel(r.Total.Status)
}

func outcomeOf(status, errs map[string]int64, notSent int64) outcome {
	var o outcome
	for k, v := range status {
		switch {
		case k == "503":
			o.S503 += v
		case k == "429":
			o.S503 += v
			o.S429 += v
		case len(k) == 3 && k[0] == '2':
			o.OK2xx += v
		default:
			o.OtherStatus += v
		}
	}
	for _, v := range errs {
		o.Errors += v
	}
	o.NotSent = notSent
	return o
}

func (o outcome) responses() int64 { return o.OK2xx + o.S503 + o.OtherStatus }

// errorClasses lists the error classes present in the result in display
// order: the known classes first, then any others sorted by name.
func errorClasses(r *result.Result) []string {
	seen := map[string]bool{}
	add := func(m map[string]int64) {
		for k := range m {
			seen[k] = true
		}
	}
	add(r.Total.Errors)
	for i := range r.Stages {
		add(r.Stages[i].Errors)
	}
	for i := range r.Timeline {
		add(r.Timeline[i].Errors)
	}
	var out []string
	for _, c := range result.ErrorClasses {
		out = append(out, c)
		delete(seen, c)
	}
	return append(out, sortedKeys(seen)...)
}

// scrapeKeys is the sorted union of the metric names scraped in any window.
func scrapeKeys(r *result.Result) []string {
	seen := map[string]bool{}
	for i := range r.Timeline {
		for k := range r.Timeline[i].Scrape {
			seen[k] = true
		}
	}
	return sortedKeys(seen)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// metricKind is how an assertion metric's values read.
type metricKind int

const (
	kindDuration metricKind = iota // seconds
	kindRatio                      // a fraction of the scheduled requests
	kindRate                       // per second
)

func kindOf(metric string) metricKind {
	m := strings.ToLower(strings.TrimSpace(metric))
	switch {
	case strings.HasPrefix(m, "ratio("), m == "achieved":
		return kindRatio
	case m == "rps":
		return kindRate
	}
	return kindDuration
}

// fmtMetric formats an assertion's value in the metric's unit.
func fmtMetric(metric string, v float64) string {
	switch kindOf(metric) {
	case kindRatio:
		return numfmt.Percent(v)
	case kindRate:
		return numfmt.Rate(v) + " rps"
	}
	return numfmt.Duration(v)
}

// assertionCounts returns how many assertions passed and failed.
func assertionCounts(as []result.Assertion) (pass, fail int) {
	for _, a := range as {
		if a.Pass {
			pass++
		} else {
			fail++
		}
	}
	return pass, fail
}

// assertionName is a test's name: the expression and its scope.
func assertionName(a result.Assertion) string {
	if a.Scope == "" {
		return a.Expr
	}
	return a.Expr + " [" + a.Scope + "]"
}

// observed formats an assertion's observed value; "–" when the verdict
// is not a comparison (the note says why).
func observed(a result.Assertion) string {
	if a.Note != "" {
		return "–"
	}
	return fmtMetric(a.Metric, a.Observed)
}

// threshold formats an assertion's bound with its operator.
func threshold(a result.Assertion) string { return a.Op + " " + fmtMetric(a.Metric, a.Value) }

// assertionMessage says what was observed against what was wanted.
func assertionMessage(a result.Assertion) string {
	name := a.Metric
	if name == "" {
		name = a.Expr
	}
	msg := name + " = " + observed(a) + ", want " + threshold(a)
	if a.Scope != "" {
		msg += " (" + a.Scope + ")"
	}
	if a.Note != "" {
		msg += ": " + a.Note
	}
	return msg
}

// verdict is the one-word outcome of a run.
func verdict(r *result.Result) string {
	_, fail := assertionCounts(r.Assertions)
	switch {
	case fail > 0:
		return "FAIL"
	case r.Interrupted:
		return "INTERRUPTED"
	case len(r.Assertions) == 0:
		return "NO ASSERTIONS"
	}
	return "PASS"
}

// verdictLine is a one-line summary of the assertions.
func verdictLine(r *result.Result) string {
	pass, fail := assertionCounts(r.Assertions)
	var s string
	switch {
	case len(r.Assertions) == 0:
		s = "no assertions"
	case fail == 0:
		s = "all " + itoa(pass) + " assertions passed"
	default:
		s = itoa(fail) + " of " + itoa(pass+fail) + " assertions failed"
	}
	if r.Interrupted {
		s += "; the run was interrupted (partial result)"
	}
	return s
}

func itoa(n int) string { return numfmt.Int(int64(n)) }
