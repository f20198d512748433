package result

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/redact"
)

// leaky is a result written elsewhere, with a secret in every string a
// target or a user could have put one in.
func leaky(secret, given string) *Result {
	basic := base64.StdEncoding.EncodeToString([]byte("alice:" + secret))
	return &Result{
		Schema: Schema,
		Target: Target{
			URL:     "http://alice:" + secret + "@127.0.0.1:1/p?token=" + secret,
			Method:  "GET",
			Headers: map[string]string{"Authorization": "Bearer " + secret, "X-Trace": given},
		},
		Warnings: []string{"scrape: 1 of 2 samples of http://u:" + secret + "@127.0.0.1:2/m failed", "echo " + given},
		Samples: &Samples{
			Responses: map[string]ResponseSample{"401": {
				Headers: map[string]string{"X-Echo": "Basic " + basic, "Set-Cookie": "sid=c00kie" + secret},
				Body:    `{"you sent": "Bearer ` + secret + `", "cookie": "c00kie` + secret + `", "given": "` + given + `"}`,
			}},
			Errors: map[string]string{"timeout": `Get "http://alice:***@127.0.0.1:1/p?token=` + secret + `": timeout`},
		},
		Stages:     []Stage{{Name: "stage " + given, HDR: StageHDR{Latency: "HISTO" + given}}},
		Total:      Stage{Name: "total"},
		Plan:       Plan{Profile: "constant", Stages: []PlanStage{{Name: "stage " + given}}},
		Timeline:   []Window{{Scrape: map[string]float64{`m{key="` + secret + `"}`: 1, "plain": 2}}},
		Assertions: []Assertion{{Expr: "p99 < 1s", Note: "note " + given}},
		Analysis:   &Analysis{Warnings: []string{"analysis " + given}},
	}
}

// TestRedactResult: no secret survives anywhere in the document, whether
// it shows in the result itself or was given (sec); histograms and the
// rest are untouched; a second pass changes nothing.
func TestRedactResult(t *testing.T) {
	const secret, given = "S3cretValue42", "Giv3nValue77"
	var sec redact.Secrets
	sec.Add(given)
	r := leaky(secret, given)
	r.Redact(&sec)
	var b1 bytes.Buffer
	if err := Write(&b1, r); err != nil {
		t.Fatal(err)
	}
	// The histogram field is not text (it is left alone, checked below).
	doc := strings.Replace(b1.String(), "HISTO"+given, "", 1)
	for _, s := range []string{secret, given, "alice"} {
		if strings.Contains(doc, s) {
			t.Errorf("%q survives:\n%s", s, doc)
		}
	}
	if r.Stages[0].HDR.Latency != "HISTO"+given || r.Plan.Profile != "constant" || r.Schema != Schema {
		t.Errorf("a histogram or an enumeration changed: %+v %q", r.Stages[0].HDR, r.Plan.Profile)
	}
	if r.Timeline[0].Scrape["plain"] != 2 || len(r.Timeline[0].Scrape) != 2 {
		t.Errorf("scrape %v", r.Timeline[0].Scrape)
	}
	r.Redact(&sec)
	var b2 bytes.Buffer
	if err := Write(&b2, r); err != nil {
		t.Fatal(err)
	}
	if b1.String() != b2.String() {
		t.Errorf("not idempotent:\n%s\n---\n%s", b1.String(), b2.String())
	}
	// The caller's set is not changed by what the result showed.
	if got := sec.String(secret); got != secret {
		t.Errorf("Redact added to the caller's secrets: %q", got)
	}
}

// TestRedactEmpty: a result with nothing to hide is unchanged.
func TestRedactEmpty(t *testing.T) {
	r := &Result{Schema: Schema, Target: Target{URL: "http://127.0.0.1:8080/", Method: "GET"}}
	var before, after bytes.Buffer
	_ = Write(&before, r)
	r.Redact(nil)
	_ = Write(&after, r)
	if before.String() != after.String() {
		t.Errorf("changed:\n%s\n%s", before.String(), after.String())
	}
}

func TestRedactByRequest(t *testing.T) {
	var sec redact.Secrets
	sec.Add("s3cr3t-path")
	r := &Result{
		Total:      Stage{ByRequest: map[string]*RequestStats{"GET /u/s3cr3t-path": {Scheduled: 2}, "home": {Scheduled: 1}}},
		Stages:     []Stage{{ByRequest: map[string]*RequestStats{"GET /u/s3cr3t-path": {Scheduled: 2}}}},
		Assertions: []Assertion{{Expr: "p99 < 1s", Request: "GET /u/s3cr3t-path"}},
	}
	r.Redact(&sec)
	if r.Total.ByRequest["GET /u/REDACTED"] == nil || r.Total.ByRequest["home"] == nil || r.Stages[0].ByRequest["GET /u/REDACTED"] == nil ||
		r.Assertions[0].Request != "GET /u/REDACTED" {
		t.Errorf("not redacted: %+v %+v %+v", r.Total.ByRequest, r.Stages[0].ByRequest, r.Assertions)
	}
}
