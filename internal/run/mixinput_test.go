package run

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
)

// TestMixRefusals: what a request set refuses before anything is sent,
// each an *InputError naming its source.
func TestMixRefusals(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "rows.csv")
	os.WriteFile(csv, []byte("user,api_token\nann,s3cr3t-tok\nbob,s3cr3t-tok2\n"), 0o644)
	tgts := filepath.Join(dir, "targets.txt")
	os.WriteFile(tgts, []byte("GET /a\n"), 0o644)
	base := "http://127.0.0.1:1/"
	stages := []profile.Stage{{Rate: 10, To: 10, Duration: time.Second}}
	for _, c := range []struct {
		name string
		prof *profile.Profile
		o    Overrides
		want string
	}{
		{"unknown request in a gate", weighted(base, 10, time.Second), Overrides{Asserts: []string{"p99 < 1s for chekout"}}, `no request named chekout`},
		{"gate for a one-request run", nil, Overrides{URL: base, Shape: oneRate, Asserts: []string{"p99 < 1s for home"}}, "sends one request"},
		{"unique rows run out", &profile.Profile{Request: profile.RequestSpec{URL: base}, File: "p.yaml", Stages: stages, Kind: "stages",
			Requests: []profile.Request{{URL: "/{{user}}"}}, Data: &profile.Data{File: csv, Order: profile.OrderUnique}}, Overrides{}, "rows.csv: order unique"},
		{"unknown column", &profile.Profile{Request: profile.RequestSpec{URL: base}, File: "p.yaml", Stages: stages, Kind: "stages",
			Requests: []profile.Request{{URL: "/{{usr}}", Line: 7}}, Data: &profile.Data{File: csv}}, Overrides{}, "p.yaml:7: request 1"},
		{"bad placeholder in -H", nil, Overrides{URL: base, Headers: []string{"X-A: {{nope}}"}, Shape: oneRate}, "header: "},
		{"targets and requests", weighted(base, 10, time.Second), Overrides{Targets: csv}, "give one"},
		{"bad placeholder in -H with targets", nil, Overrides{URL: base, Targets: tgts, Headers: []string{"X-B: {{nope}}"}, Shape: oneRate}, `header: X-B: placeholder {{nope}}`},
		{"bad placeholder in target.headers", &profile.Profile{Request: profile.RequestSpec{URL: base, Headers: []profile.Header{{Name: "X-B", Value: "{{nope}}"}}},
			File: "p.yaml", Stages: stages, Kind: "stages", Requests: []profile.Request{{URL: "/", Line: 7}}}, Overrides{}, `p.yaml: target.headers: X-B: placeholder {{nope}}`},
		{"replay with a rate", nil, Overrides{URL: base, Replay: csv, Shape: oneRate}, "give no rate plan"},
		{"body with targets", nil, Overrides{URL: base, Targets: tgts, Body: "xyz", Shape: oneRate}, "body applies to no request of targets"},
		{"body file with requests", weighted(base, 10, time.Second), Overrides{BodyFile: csv}, "body_file applies to no request of the profile's requests:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Resolve(c.prof, c.o)
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want an InputError with %q", err, c.want)
			}
		})
	}
}

// TestMixOtherOrigin: a request to another origin than the target's is
// sent by net/http (auto picks it); the one-address clients refuse it.
// Secret columns never reach the result.
func TestMixOtherOrigin(t *testing.T) {
	s1, base1 := newLogServer(t)
	s2, base2 := newLogServer(t)
	dir := t.TempDir()
	csv := filepath.Join(dir, "rows.csv")
	os.WriteFile(csv, []byte("user,api_token\nann,s3cr3t-tok-1\n"), 0o644)
	prof := &profile.Profile{Request: profile.RequestSpec{URL: base1}, Kind: "stages", Stages: []profile.Stage{{Rate: 20, To: 20, Duration: time.Second}},
		Requests: []profile.Request{{Name: "here", URL: "/a/{{api_token}}"}, {Name: "there", URL: base2 + "b"}},
		Data:     &profile.Data{File: csv}}
	pl, err := Resolve(prof, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Execute(context.Background(), pl, Options{Client: openloop.ClientH1, Analyze: NoAnalysis}); !errors.As(err, new(*InputError)) || !strings.Contains(err.Error(), "net/http") {
		t.Errorf("h1: %v", err)
	}
	r, err := Execute(context.Background(), pl, Options{Analyze: NoAnalysis})
	if err != nil {
		t.Fatal(err)
	}
	n1, n2 := int64(len(s1.log())), int64(len(s2.log()))
	if r.Client != string(openloop.ClientNetHTTP) || r.Total.ByRequest["here"].Sent != n1 || r.Total.ByRequest["there"].Sent != n2 || n1+n2 != 20 {
		t.Errorf("client %s, by_request here %d there %d, servers %d %d", r.Client, r.Total.ByRequest["here"].Sent, r.Total.ByRequest["there"].Sent, n1, n2)
	}
	if s1.log()[0].path != "/a/s3cr3t-tok-1" {
		t.Errorf("path %q", s1.log()[0].path)
	}
	var out strings.Builder
	result.Write(&out, r)
	if strings.Contains(out.String(), "s3cr3t-tok-1") {
		t.Errorf("a secret column's value is in the result")
	}
}

// oneRate is a constant 1 rps for 1 s, given as overrides.
var oneRate = profile.Shape{Kind: "constant", Rate: 1, Duration: time.Second, Set: map[string]bool{"rate": true, "duration": true}}

// TestOneRequestPlaceholders: the one request's -H and body take
// placeholders (`\{{` a literal `{{`); the result stays a one-request
// run's, with no by_request.
func TestOneRequestPlaceholders(t *testing.T) {
	var mu sync.Mutex
	var bodies, seqs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 100)
		n, _ := r.Body.Read(b)
		mu.Lock()
		bodies, seqs = append(bodies, string(b[:n])), append(seqs, r.Header.Get("X-Seq"))
		mu.Unlock()
	}))
	defer srv.Close()
	r := mustRun(t, nil, Overrides{URL: srv.URL + "/", Method: "POST", Headers: []string{"X-Seq: {{seq}}"}, Body: `{"t": "\{{x}}"}`, Shape: oneRate}, Options{})
	mu.Lock()
	defer mu.Unlock()
	if r.Total.ByRequest != nil || len(bodies) != 1 || bodies[0] != `{"t": "{{x}}"}` || seqs[0] != "0" {
		t.Errorf("by_request %v, bodies %q, seqs %q", r.Total.ByRequest, bodies, seqs)
	}
	if len(bodies) == 1 && r.Target.BodyBytes != len(bodies[0]) {
		t.Errorf("target.body_bytes %d, %d sent", r.Target.BodyBytes, len(bodies[0]))
	}
}

// TestBodyBytes: target.body_bytes counts the bytes sent: `\{{` as the
// `{{` sent, a varying body as arrival 0's, and none for a request set,
// whose requests carry their own bodies.
func TestBodyBytes(t *testing.T) {
	tgts := filepath.Join(t.TempDir(), "targets.txt")
	os.WriteFile(tgts, []byte("GET /a\n"), 0o644)
	base := "http://127.0.0.1:1/"
	for _, tt := range []struct {
		o    Overrides
		want int
	}{
		{Overrides{Body: "abc"}, 3},
		{Overrides{Body: `a\{{b`}, 4},
		{Overrides{Body: `{{seq}}xy`}, 3},
		{Overrides{Targets: tgts}, 0}, // a body with a request set is refused (TestMixRefusals)
	} {
		tt.o.URL, tt.o.Method, tt.o.Shape = base, "POST", oneRate
		pl, err := Resolve(nil, tt.o)
		if err != nil {
			t.Fatal(err)
		}
		if got := pl.bodyBytes(); got != tt.want {
			t.Errorf("body %q (targets %q): %d, want %d", tt.o.Body, tt.o.Targets, got, tt.want)
		}
	}
}

// TestTargetsCommonHeaders: -H goes with every request of a targets file,
// its placeholders rendered (the file's own texts are literal); a target's
// own header of the same name wins.
func TestTargetsCommonHeaders(t *testing.T) {
	s, base := newLogServer(t)
	tgts := filepath.Join(t.TempDir(), "targets.txt")
	os.WriteFile(tgts, []byte("GET /a\nX-Name: own {{seq}}\n\nGET /b\n"), 0o644)
	four := profile.Shape{Kind: "constant", Rate: 20, Duration: 200 * time.Millisecond, Set: map[string]bool{"rate": true, "duration": true}}
	mustRun(t, nil, Overrides{URL: base, Targets: tgts, Headers: []string{"X-Name: flag", "X-Seq: {{seq}}"}, Shape: four}, Options{})
	seqs := map[string]bool{}
	for _, g := range s.log() {
		want := map[string]string{"/a": "own {{seq}}", "/b": "flag"}[g.path]
		if g.name != want || seqs[g.seq] || strings.Contains(g.seq, "{") {
			t.Errorf("%s: X-Name %q (want %q), X-Seq %q (seen %v)", g.path, g.name, want, g.seq, seqs)
		}
		seqs[g.seq] = true
	}
	if len(seqs) != 4 {
		t.Errorf("%d requests, want 4", len(seqs))
	}
}

// TestTargetsWithoutURL: as with vegeta, a targets file needs no URL; the
// first absolute target's origin is the base (relative targets resolve
// against it). With only relative targets there is still no target.
func TestTargetsWithoutURL(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(dir, "abs.txt")
	os.WriteFile(abs, []byte("GET /rel\n\nGET http://127.0.0.1:18123/a?q=1\n\nPOST http://127.0.0.1:18123/b\n"), 0o644)
	rel := filepath.Join(dir, "rel.txt")
	os.WriteFile(rel, []byte("GET /a\n"), 0o644)
	shape := profile.Shape{Kind: "constant", Rate: 10, Duration: time.Second, Set: map[string]bool{"rate": true, "duration": true}}
	pl, err := Resolve(nil, Overrides{Targets: abs, Shape: shape})
	if err != nil {
		t.Fatal(err)
	}
	if pl.Request.URL != "http://127.0.0.1:18123/" || pl.Mix == nil || len(pl.Mix.Set.Names()) != 3 {
		t.Errorf("url %q, mix %+v", pl.Request.URL, pl.Mix)
	}
	if _, err := Resolve(nil, Overrides{Targets: rel, Shape: shape}); !errors.Is(err, ErrNoTarget) {
		t.Errorf("relative targets only: %v, want ErrNoTarget", err)
	}
}
