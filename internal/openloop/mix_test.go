package openloop

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/mix"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// mixLog is a loopback server that logs, per request, its path and its
// X-Seq header, and checks a POST's body.
type mixLog struct {
	mu     sync.Mutex
	byPath map[string]int64
	seqs   map[int64]int
	bad    []string
}

func newMixLog(t *testing.T) (*mixLog, string) {
	m := &mixLog{byPath: map[string]int64{}, seqs: map[int64]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		seq, err := strconv.ParseInt(r.Header.Get("X-Seq"), 10, 64)
		m.mu.Lock()
		m.byPath[r.Method+" "+r.URL.Path]++
		if err != nil {
			m.bad = append(m.bad, "X-Seq "+r.Header.Get("X-Seq"))
		}
		m.seqs[seq]++
		if r.Method == "POST" && string(body) != `{"n":`+strconv.FormatInt(seq, 10)+`}` {
			m.bad = append(m.bad, "body "+string(body))
		}
		m.mu.Unlock()
		if r.Method == "HEAD" {
			return
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return m, srv.URL + "/"
}

// threeRequests is a 3-request mix with placeholders in URL, header and
// body (one of them a HEAD, whose response has no body).
func threeRequests(tb testing.TB, base string) *mix.Set {
	tb.Helper()
	seq := []profile.Header{{Name: "X-Seq", Value: "{{seq}}"}}
	s, err := mix.Build(mix.Spec{Base: base, Seed: 7, Requests: []profile.Request{
		{Name: "home", Weight: 5, URL: "/home?u={{uuid}}", Headers: seq},
		{Name: "post", Weight: 3, Method: "POST", URL: "/post/{{rand_int 1 9}}", Headers: seq, Body: `{"n":{{seq}}}`},
		{Name: "head", Weight: 2, Method: "HEAD", URL: "/head", Headers: seq},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestMixEveryMode sends a 3-request mix in every mode (net/http and h1
// workers, one and two event loops) and checks, against what the server
// logged, that every arrival got its own rendered request ({{seq}} 0…n−1
// exactly once, the body with its own seq), that by_request counts each
// name's requests exactly as the server saw them, that every by_request
// record is conserved, and that the names add up to their stage.
func TestMixEveryMode(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			m, u := newMixLog(t)
			set := threeRequests(t, u)
			rs := runSpec{segs: []schedule.Segment{{Duration: 500 * time.Millisecond, From: 400, To: 400}, {Duration: 500 * time.Millisecond, From: 200, To: 200}},
				kind: schedule.Poisson, seed: 3, mode: mode, requests: set, byRequest: true}
			rec, _ := runAgainst(t, context.Background(), u, rs)
			checkConservation(t, rec)
			m.mu.Lock()
			defer m.mu.Unlock()
			if len(m.bad) > 0 {
				t.Fatalf("%d bad requests, first %q", len(m.bad), m.bad[0])
			}
			n := rec.Total.Scheduled
			for s := int64(0); s < n; s++ {
				if m.seqs[s] != 1 {
					t.Fatalf("seq %d received %d times (n = %d)", s, m.seqs[s], n)
				}
			}
			if int64(len(m.seqs)) != n {
				t.Fatalf("%d distinct seqs for %d arrivals", len(m.seqs), n)
			}
			paths := map[string]string{"home": "GET /home", "post": "POST /post/", "head": "HEAD /head"}
			for name, q := range rec.Total.ByRequest {
				var logged int64
				for p, c := range m.byPath {
					if len(p) >= len(paths[name]) && p[:len(paths[name])] == paths[name] {
						logged += c
					}
				}
				if q.Sent != logged || q.Status["200"] != logged || !q.Conserved() {
					t.Errorf("%s: sent %d, 200s %v, server logged %d (conserved %v)", name, q.Sent, q.Status, logged, q.Conserved())
				}
				if q.Latency.Count != q.Completed || q.HDR.Latency == "" {
					t.Errorf("%s: latency histogram has %d values for %d completed", name, q.Latency.Count, q.Completed)
				}
			}
			for _, st := range append(rec.Stages, rec.Total) {
				if len(st.ByRequest) != 3 {
					t.Fatalf("stage %q: by_request %v", st.Name, st.ByRequest)
				}
				var sum result.RequestStats
				for _, q := range st.ByRequest {
					sum.Scheduled += q.Scheduled
					sum.Sent += q.Sent
					sum.Completed += q.Completed
					sum.Latency.Count += q.Latency.Count
				}
				if sum.Scheduled != st.Scheduled || sum.Sent != st.Sent || sum.Completed != st.Completed || sum.Latency.Count != st.Latency.Count {
					t.Errorf("stage %q: names add up to %+v, the stage has %d/%d/%d/%d", st.Name, sum, st.Scheduled, st.Sent, st.Completed, st.Latency.Count)
				}
			}
		})
	}
}

// TestMixWithoutBreakdown: a set without ByRequest (the one request with
// placeholders) leaves ByRequest nil, as a one-request run.
func TestMixWithoutBreakdown(t *testing.T) {
	_, u := newMixLog(t)
	rec, _ := runAgainst(t, context.Background(), u, runSpec{segs: []schedule.Segment{{Duration: 200 * time.Millisecond, From: 100, To: 100}},
		mode: "h1", requests: threeRequests(t, u)})
	if rec.Total.ByRequest != nil || rec.Stages[0].ByRequest != nil || rec.Total.Status["200"] != 20 {
		t.Errorf("by_request %v, status %v", rec.Total.ByRequest, rec.Total.Status)
	}
}

// TestMixNoRowNotSent: with order unique and fewer rows than arrivals,
// the arrivals past the rows are not sent, counted as not_sent (by name
// too) with a warning saying why, in every mode.
func TestMixNoRowNotSent(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			m, u := newMixLog(t)
			tab, err := mix.ParseData("rows.csv", strings.NewReader("n\n0\n1\n2\n3\n4\n"), profile.OrderUnique)
			if err != nil {
				t.Fatal(err)
			}
			set, err := mix.Build(mix.Spec{Base: u, Data: tab, Requests: []profile.Request{
				{Name: "a", URL: "/a", Headers: []profile.Header{{Name: "X-Seq", Value: "{{n}}"}}},
				{Name: "b", URL: "/b", Headers: []profile.Header{{Name: "X-Seq", Value: "{{n}}"}}}}})
			if err != nil {
				t.Fatal(err)
			}
			rec, _ := runAgainst(t, context.Background(), u, runSpec{segs: []schedule.Segment{{Duration: 100 * time.Millisecond, From: 100, To: 100}},
				mode: mode, requests: set, byRequest: true})
			checkConservation(t, rec)
			var notSent int64
			for _, q := range rec.Total.ByRequest {
				notSent += q.NotSent
			}
			m.mu.Lock()
			served := len(m.seqs)
			m.mu.Unlock()
			if rec.Total.Sent != 5 || rec.Total.NotSent != 5 || notSent != 5 || served != 5 || !slices.ContainsFunc(rec.Warnings, func(w string) bool {
				return strings.HasPrefix(w, "5 requests were not sent because the request set had none")
			}) {
				t.Errorf("sent %d, not sent %d (by name %d), served %d, warnings %q", rec.Total.Sent, rec.Total.NotSent, notSent, served, rec.Warnings)
			}
		})
	}
}

// TestRenderNoAllocs: rendering an arrival's request allocates nothing
// once the buffer has grown, for the H1 workers (Scratch) and the event
// loop (its connection's buffer).
func TestRenderNoAllocs(t *testing.T) {
	set := threeRequests(t, "http://127.0.0.1:1/")
	s, _ := schedule.New([]schedule.Segment{{Duration: time.Second, From: 10, To: 10}}, schedule.Uniform, nil, 0, schedule.Shard{})
	d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: "http://127.0.0.1:1/", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 1, Requests: set, ByRequest: true})
	if err != nil {
		t.Fatal(err)
	}
	var sc Scratch
	var a schedule.Arrival
	e.render(a, 0, &sc) // grow
	if n := testing.AllocsPerRun(1000, func() {
		a.Seq++
		if !e.render(a, 0, &sc) {
			t.Fatal("no request")
		}
	}); n != 0 {
		t.Errorf("worker render: %v allocs per arrival", n)
	}
	if _, wire, ok := sc.Request(); !ok || len(wire) == 0 {
		t.Errorf("Request: %q %v", wire, ok)
	}
	loopRenderAllocs(t, e, d)
}
