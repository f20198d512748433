package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/result"
)

// runSecretValues are the random secrets of one test: each is fed through
// one input and searched for in every output.
type runSecretValues struct {
	user, pass, query, bearer, apiKey, cookie, scrapeUser, scrapePass, scrapeToken string
}

func newRunSecretValues() runSecretValues {
	// rand.Text: 26 characters of base32, fresh on every run, so no
	// redaction can pass by knowing the value.
	r := func() string { return rand.Text() }
	return runSecretValues{user: "u" + strings.ToLower(r()[:12]), pass: r(), query: r(), bearer: r(), apiKey: r(),
		cookie: r(), scrapeUser: "s" + strings.ToLower(r()[:12]), scrapePass: r(), scrapeToken: r()}
}

// forms are the secrets and the spellings that reveal them: each value,
// and the Basic credentials made of the user names and passwords.
func (s runSecretValues) forms() map[string]string {
	b64 := func(v string) string { return base64.StdEncoding.EncodeToString([]byte(v)) }
	return map[string]string{
		"user": s.user, "password": s.pass, "query value": s.query, "bearer token": s.bearer,
		"api key": s.apiKey, "cookie": s.cookie, "scrape user": s.scrapeUser, "scrape password": s.scrapePass,
		"scrape token": s.scrapeToken,
		"basic":        b64(s.user + ":" + s.pass), "scrape basic": b64(s.scrapeUser + ":" + s.scrapePass),
	}
}

// echoTarget answers every third request late (past --timeout: an error
// whose text names the URL, for net/http), the others 401 or 403 with
// every request header and the request URI echoed in its headers and body;
// the 403's body puts the Authorization value across the sample's cut.
func echoTarget(t *testing.T) *httptest.Server {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if i%3 == 0 {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return
		}
		var dump strings.Builder
		names := make([]string, 0, len(r.Header))
		for k := range r.Header {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(&dump, "%s: %s\n", k, strings.Join(r.Header[k], ", "))
		}
		auth := r.Header.Get("Authorization")
		w.Header().Set("X-Echo-Auth", auth)
		w.Header().Set("X-Echo-Cookie", r.Header.Get("Cookie"))
		w.Header().Set("X-Echo-Key", r.Header.Get("X-Api-Key"))
		w.Header().Set("X-Echo-Uri", r.RequestURI)
		w.Header().Set("Set-Cookie", r.Header.Get("Cookie"))
		if i%3 == 1 {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(&dump, "you asked for %s\n{\"auth\": %q}\n", r.RequestURI, auth)
			w.Write([]byte(dump.String()))
			return
		}
		w.WriteHeader(http.StatusForbidden)
		_, tok, _ := strings.Cut(auth, " ")
		pad := max(openloop.SampleBodyBytes-len(tok)/2, 0)
		w.Write([]byte(strings.Repeat(".", pad) + tok + " and more"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// echoMetrics is a /metrics that echoes the scrape's credentials: as a
// label value (a series name in the timeline, the CSV and the HTML) and
// as garbage where a value belongs (an error message quoting it).
func echoMetrics(t *testing.T) *httptest.Server {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization") + " " + r.RequestURI
		if n.Add(1)%2 == 0 {
			fmt.Fprintf(w, "bploadgen_target_x %s\n", auth)
			return
		}
		fmt.Fprintf(w, "# TYPE bploadgen_target_echo gauge\nbploadgen_target_echo{auth=%q} 1\n", auth)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// closedPort is a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestSecretsNeverLeak (issue 14, items 1–4; the acceptance test): random
// secrets fed through every input — the URL's user info and query,
// headers, a profile file, the scrape URL — and echoed back by the target
// in the headers and bodies of 401s (and by the scrape endpoint) are found
// in no output of run — result JSON, summary on stdout and stderr,
// warnings, HTML, JUnit, Markdown, CSV, request log, HdrHistogram log —
// for each client, nor in any output of report re-rendering the result.
func TestSecretsNeverLeak(t *testing.T) {
	target, metrics := echoTarget(t), echoMetrics(t)
	dead := closedPort(t)
	clients := []string{"h1", "loop", "net/http"}
	if runtime.GOOS != "linux" {
		clients = clients[:1:1]
		clients = append(clients, "net/http") // loop is Linux-only
	}
	for _, client := range clients {
		for _, viaProfile := range []bool{false, true} {
			name := client + "/flags, unreachable scrape"
			if viaProfile {
				name = client + "/profile, echoing scrape"
			}
			t.Run(name, func(t *testing.T) {
				s := newRunSecretValues()
				dir := t.TempDir()
				host := strings.TrimPrefix(target.URL, "http://")
				u := "http://" + s.user + ":" + s.pass + "@" + host + "/p?page=1&api_key=" + s.query
				scrapeHost := dead
				if viaProfile {
					scrapeHost = strings.TrimPrefix(metrics.URL, "http://")
				}
				scrape := "http://" + s.scrapeUser + ":" + s.scrapePass + "@" + scrapeHost + "/metrics?token=" + s.scrapeToken
				args := []string{"run", "--client", client, "--rate", "30", "--duration", "1s", "--timeout", "300ms",
					"--grace", "500ms", "--scrape", scrape, "-H", "Cookie: theme=dark; sid=" + s.cookie,
					"--assert", "p99 < 60s", "--assert", "ratio(4xx) < 1%"}
				if viaProfile {
					// No Authorization header: the clients send the user
					// info as Basic, and the target echoes that.
					prof := filepath.Join(dir, "p.yaml")
					body := fmt.Sprintf("target:\n  url: '%s'\n  headers: {X-Api-Key: %s}\n", u, s.apiKey)
					if err := os.WriteFile(prof, []byte(body), 0o600); err != nil {
						t.Fatal(err)
					}
					args = append(args, "-f", prof)
				} else {
					args = append(args, u, "-H", "Authorization: Bearer "+s.bearer, "-H", "X-Api-Key: "+s.apiKey)
				}
				outs := map[string]string{"-o": "result.json", "--html": "r.html", "--junit": "r.xml", "--md": "r.md",
					"--csv": "r.csv", "--hlog": "r.hlog", "--log-requests": "requests.csv"}
				for flag, f := range outs {
					args = append(args, flag, filepath.Join(dir, f))
				}
				code, stdout, stderr := execMain(t, context.Background(), args...)
				if code != exitAssertFail { // the 4xx gate fails, on purpose: a failing verdict is rendered too
					t.Fatalf("run: exit %d, stderr:\n%s", code, stderr)
				}
				seen := map[string]string{"run stdout": stdout, "run stderr": stderr}
				for _, f := range outs {
					seen["run "+f] = readFile(t, filepath.Join(dir, f))
				}
				if !strings.Contains(seen["run result.json"], `"401"`) || !strings.Contains(seen["run result.json"], "scrape") {
					t.Errorf("the run did not get the echoes or the scrape warning it is meant to hide:\n%s", seen["run result.json"])
				}
				// report re-renders the result: as text, and as every file.
				res := filepath.Join(dir, "result.json")
				code, stdout, stderr = execMain(t, context.Background(), "report", res)
				seen["report stdout"], seen["report stderr"] = stdout, stderr
				if code != 0 {
					t.Fatalf("report: exit %d: %s", code, stderr)
				}
				rep := []string{"report", res}
				for _, flag := range []string{"--html", "--junit", "--md", "--csv", "--hlog"} {
					rep = append(rep, flag, filepath.Join(dir, "re"+outs[flag]))
				}
				if code, _, stderr = execMain(t, context.Background(), rep...); code != 0 {
					t.Fatalf("report files: exit %d: %s", code, stderr)
				}
				for i := 2; i < len(rep); i += 2 {
					seen["report "+filepath.Base(rep[i+1])] = readFile(t, rep[i+1])
				}
				for out, text := range seen {
					for what, v := range s.forms() {
						if strings.Contains(text, v) || strings.Contains(text, url.QueryEscape(v)) {
							t.Errorf("%s (%q) found in %s", what, v, out)
						}
					}
				}
			})
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReportRedactsForeignResult (issue 14, item 3): a result written
// elsewhere, with secrets left in its target, samples, warnings and
// scraped series, renders without them: report redacts again, from what
// the result itself shows and by shape.
func TestReportRedactsForeignResult(t *testing.T) {
	s := newRunSecretValues()
	r, err := result.ReadFile("testdata/analyze_result.json")
	if err != nil {
		t.Fatal(err)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(s.user + ":" + s.pass))
	r.Target.URL = "http://" + s.user + ":" + s.pass + "@127.0.0.1:1/p?api_key=" + s.query
	r.Target.Headers = map[string]string{"Authorization": "Bearer " + s.bearer, "Cookie": "sid=" + s.cookie}
	r.Warnings = append(r.Warnings, "scrape: 1 of 1 samples of http://"+s.scrapeUser+":"+s.scrapePass+"@127.0.0.1:2/m?token="+s.scrapeToken+" failed")
	r.Samples = &result.Samples{
		Responses: map[string]result.ResponseSample{"401": {
			Headers: map[string]string{"X-Echo": "Bearer " + s.bearer, "X-Key": s.apiKey},
			Body:    "Authorization: Basic " + basic + "\nyou sent " + s.bearer + " and sid=" + s.cookie + " api_key=" + s.query,
		}},
		Errors: map[string]string{"timeout": `Get "http://` + s.user + `:***@127.0.0.1:1/p?api_key=` + s.query + `": timeout`},
	}
	r.Timeline[0].Scrape = map[string]float64{`bploadgen_target_echo{token="` + s.scrapeToken + `"}`: 1}
	dir := t.TempDir()
	in := filepath.Join(dir, "foreign.json")
	if err := result.WriteFile(in, r); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	code, stdout, stderr := execMain(t, context.Background(), "report", in)
	seen["stdout"], seen["stderr"] = stdout, stderr
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	args := []string{"report", in}
	for _, f := range []string{"html", "junit", "md", "csv", "hlog"} {
		args = append(args, "--"+f, filepath.Join(dir, "r."+f))
	}
	if code, _, stderr := execMain(t, context.Background(), args...); code != 0 {
		t.Fatalf("report files: exit %d: %s", code, stderr)
	}
	for i := 2; i < len(args); i += 2 {
		seen[filepath.Base(args[i+1])] = readFile(t, args[i+1])
	}
	if !strings.Contains(seen["r.html"], "you sent") {
		t.Errorf("the HTML does not show the sample the test hides secrets in")
	}
	for out, text := range seen {
		for what, v := range s.forms() {
			if strings.Contains(text, v) {
				t.Errorf("%s (%q) found in %s", what, v, out)
			}
		}
	}
}
