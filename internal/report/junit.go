package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"

	"github.com/bploadgen/bploadgen/internal/redact"
	"github.com/bploadgen/bploadgen/internal/result"
)

// The JUnit XML dialect read by Jenkins, GitLab and GitHub test reporters
// (the Ant/Surefire format): <testsuites> holding one <testsuite>, one
// <testcase> per assertion, <failure message=…> on a failed one.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitClassname groups the assertions in test reporters.
const junitClassname = "bploadgen.assertions"

// WriteJUnit writes r's assertions as JUnit XML: one testcase per
// assertion (named by expression and scope), a failure with the observed
// value and the threshold for each that failed. Without assertions the
// suite is valid and empty.
func WriteJUnit(w io.Writer, r *result.Result) error {
	target := r.Target.Method + " " + redact.URL(r.Target.URL)
	suite := junitSuite{
		Name: "bploadgen: " + target,
		Time: secs(r.ElapsedS),
		Properties: []junitProperty{
			{"target", target},
			{"tool", toolName(r)},
			{"profile", r.Plan.Profile},
			{"arrival", r.Arrival},
			{"seed", strconv.FormatInt(r.Seed, 10)},
			{"interrupted", strconv.FormatBool(r.Interrupted)},
			{"scheduled", strconv.FormatInt(r.Total.Scheduled, 10)},
			{"throughput_rps", strconv.FormatFloat(r.Total.ThroughputRPS, 'f', -1, 64)},
			{"p99_s", strconv.FormatFloat(r.Total.Latency.P99, 'f', -1, 64)},
		},
		SystemOut: "bploadgen " + verdict(r) + ": " + verdictLine(r),
	}
	if !r.StartedAt.IsZero() {
		suite.Timestamp = r.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	for _, a := range r.Assertions {
		c := junitCase{Name: assertionName(a), Classname: junitRequestClass(a), Time: "0",
			SystemOut: "observed " + observed(a) + ", threshold " + threshold(a)}
		if !a.Pass {
			msg := assertionMessage(a)
			c.Failure = &junitFailure{Message: msg, Type: "AssertionFailed",
				Text: fmt.Sprintf("%s\nobserved: %s (%s)\nthreshold: %s (%s)\nscope: %s\n",
					a.Expr, observed(a), rawValue(a.Observed), threshold(a), rawValue(a.Value), a.Scope)}
			if a.Note != "" {
				c.Failure.Text += "note: " + a.Note + "\n"
			}
			suite.Failures++
		}
		suite.Tests++
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: "bploadgen", Tests: suite.Tests, Failures: suite.Failures, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("render JUnit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// secs formats seconds for a JUnit time attribute.
func secs(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) }

// rawValue is the exact stored number, beside the human one.
func rawValue(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
