package report

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

var scriptTag = regexp.MustCompile(`(?i)<\s*script`)

// TestHTMLHostile checks, on the rendered text, that nothing the target
// sent became markup: no script element, no event handler attribute, and
// the hostile strings present only in escaped form.
func TestHTMLHostile(t *testing.T) {
	r := loadFixture(t)
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if scriptTag.MatchString(page) {
		t.Errorf("the page contains a script tag")
	}
	for _, bad := range []string{"<img", "<svg onload", "onerror=\"", "href=", "s3cr3t"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;window.__pwned=1&lt;/script&gt;") {
		t.Errorf("the hostile body is not shown escaped")
	}
	if !strings.Contains(page, `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-`) {
		t.Errorf("no Content-Security-Policy")
	}
}

func TestCSPMatchesStyle(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, &result.Result{Schema: result.Schema}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	start := strings.Index(page, "<style>") + len("<style>")
	end := strings.Index(page, "</style>")
	if got := cspFor(page[start:end]); !strings.Contains(html.UnescapeString(page), got) {
		t.Errorf("the style sheet in the page does not match the hash in its policy")
	}
}

// FuzzHTML puts one string everywhere a target or a result file can put
// text and checks it never comes out as markup.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{"<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, "</title><svg onload=x>",
		"javascript:alert(1)", "{{.}}", "]]><!--", "\u2028<b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := &result.Result{
			Schema: result.Schema, Target: result.Target{URL: "http://h/?q=" + s, Method: s, Headers: map[string]string{s: s}},
			Arrival: s, Plan: result.Plan{Profile: s}, Warnings: []string{s},
			Stages:     []result.Stage{{Index: 1, Name: s, EndS: 1, Status: map[string]int64{s: 1}, Errors: map[string]int64{s: 1}}},
			Timeline:   []result.Window{{DurationS: 1, Scrape: map[string]float64{s: 1}}},
			Assertions: []result.Assertion{{Expr: s, Scope: s, Metric: s, Op: s, Note: s}},
			Samples:    &result.Samples{Responses: map[string]result.ResponseSample{s: {Headers: map[string]string{s: s}, Body: s}}, Errors: map[string]string{s: s}},
			Analysis:   &result.Analysis{Model: result.Model{Name: s, Notes: s, Source: s}, Knee: &result.Knee{Stage: 1, Reason: s}, Warnings: []string{s}},
		}
		var b bytes.Buffer
		if err := WriteHTML(&b, r); err != nil {
			t.Fatal(err)
		}
		for _, m := range tagName.FindAllStringSubmatch(b.String(), -1) {
			if !ownTags[strings.ToLower(m[1])] {
				t.Fatalf("input %q made a <%s> element", s, m[1])
			}
		}
	})
}

var tagName = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9-]*)`)

// ownTags are the elements the report template writes; anything else in
// the page came from data.
var ownTags = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(`html head meta title style body main header div p section h1 h2 h3 ul li
		figure figcaption svg g rect line path circle text table thead tbody tr th td pre footer`) {
		m[t] = true
	}
	return m
}()
