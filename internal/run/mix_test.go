package run

import (
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/merge"
	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/runqueue"
)

// The acceptance tests of request sets (issue #16), against loopback
// servers that log what they receive.

// got is one request a logging server received.
type got struct {
	at         time.Time
	path, seq  string
	user, name string
}

type logServer struct {
	mu   sync.Mutex
	reqs []got
}

func newLogServer(t *testing.T) (*logServer, string) {
	t.Helper()
	s := &logServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := got{at: time.Now(), path: r.URL.Path, seq: r.Header.Get("X-Seq"), user: r.Header.Get("X-User"), name: r.Header.Get("X-Name")}
		s.mu.Lock()
		s.reqs = append(s.reqs, g)
		s.mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return s, srv.URL + "/"
}

func (s *logServer) log() []got {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]got(nil), s.reqs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// weighted is a profile of three weighted requests, each naming itself in
// X-Name and numbering its arrival in X-Seq.
func weighted(base string, rate float64, d time.Duration) *profile.Profile {
	req := func(name string, w float64) profile.Request {
		return profile.Request{Name: name, Weight: w, URL: "/" + name,
			Headers: []profile.Header{{Name: "X-Name", Value: name}, {Name: "X-Seq", Value: "{{seq}}"}}}
	}
	return &profile.Profile{Request: profile.RequestSpec{URL: base},
		Requests: []profile.Request{req("home", 7), req("search", 2), req("checkout", 1)},
		Kind:     "stages", Stages: []profile.Stage{{Name: "s", Rate: rate, To: rate, Duration: d}}}
}

func mustRun(t *testing.T, prof *profile.Profile, o Overrides, opt Options) *result.Result {
	t.Helper()
	pl, err := Resolve(prof, o)
	if err != nil {
		t.Fatal(err)
	}
	opt.Analyze = NoAnalysis
	r, err := Execute(context.Background(), pl, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestMixWeights: a weighted mix of 3000 arrivals as the server sees it
// passes a chi-square test of the weights at p = 0.001 (2 degrees of
// freedom: critical value 13.816), and each name's by_request sent equals
// what the server logged under it — in every client, and with two loops.
func TestMixWeights(t *testing.T) {
	for _, c := range []struct {
		client openloop.Client
		loops  int
		n      float64 // arrivals: 3000 for the chi-square; fewer for the other clients
	}{{openloop.ClientLoop, 1, 3000}, {openloop.ClientLoop, 2, 600}, {openloop.ClientH1, 0, 600}, {openloop.ClientNetHTTP, 0, 600}} {
		t.Run(fmt.Sprintf("%s/loops=%d", c.client, c.loops), func(t *testing.T) {
			if c.client == openloop.ClientLoop && !openloop.EventLoopSupported {
				t.Skip("the event loop needs Linux")
			}
			s, base := newLogServer(t)
			reqLog := filepath.Join(t.TempDir(), "requests.csv")
			r := mustRun(t, weighted(base, c.n/2, 2*time.Second), Overrides{}, Options{Client: c.client, Loops: c.loops, LogRequests: reqLog})
			logged := map[string]int64{}
			for _, g := range s.log() {
				logged[g.name]++
			}
			// The request log names each arrival's request as the server
			// logged it.
			if byLog := requestLogNames(t, reqLog); !maps.Equal(byLog, logged) {
				t.Errorf("the request log's request column counts %v, the server logged %v", byLog, logged)
			}
			weights := map[string]float64{"home": 0.7, "search": 0.2, "checkout": 0.1}
			var chi2 float64
			n := float64(r.Total.Scheduled)
			for name, w := range weights {
				q := r.Total.ByRequest[name]
				if q == nil || q.Sent != logged[name] || q.Status["200"] != logged[name] || q.NotSent != 0 {
					t.Errorf("%s: by_request %+v, server logged %d", name, q, logged[name])
					continue
				}
				exp := n * w
				chi2 += (float64(logged[name]) - exp) * (float64(logged[name]) - exp) / exp
			}
			t.Logf("n %v, logged %v, chi-square %.2f", n, logged, chi2)
			if c.n == 3000 && (n != 3000 || chi2 > 13.816) {
				t.Errorf("chi-square %.2f over %v arrivals > 13.816 (p = 0.001, 2 dof)", chi2, n)
			}
		})
	}
}

// TestMixSequentialData: with order sequential the server sees the rows
// in order, cycling, and {{seq}} 0…n−1 exactly once. Arrivals are 10 ms
// apart, so requests i < j were sent at least 10 ms − (the largest send
// lag) apart, and the later one can reach the handler first only if the
// earlier one's delivery took longer than that; a delivery is part of its
// service time (actual send → completion). So an inversion is possible
// only if the largest send lag plus the largest service time reaches
// 10 ms (HDR maxima are bucket tops: never below the true values).
func TestMixSequentialData(t *testing.T) {
	s, base := newLogServer(t)
	dir := t.TempDir()
	csv := filepath.Join(dir, "users.csv")
	rows := []string{"ann", "bob", "cid", "dan", "eve"}
	os.WriteFile(csv, []byte("user\n"+strings.Join(rows, "\n")+"\n"), 0o644)
	prof := &profile.Profile{Request: profile.RequestSpec{URL: base}, File: filepath.Join(dir, "p.yaml"),
		Requests: []profile.Request{{Name: "u", URL: "/u/{{user}}", Headers: []profile.Header{{Name: "X-User", Value: "{{user}}"}, {Name: "X-Seq", Value: "{{seq}}"}}}},
		Data:     &profile.Data{File: csv, Order: profile.OrderSequential},
		Kind:     "stages", Stages: []profile.Stage{{Rate: 100, To: 100, Duration: time.Second}}}
	r := mustRun(t, prof, Overrides{}, Options{})
	log := s.log()
	if int64(len(log)) != r.Total.Scheduled || len(log) != 100 {
		t.Fatalf("server saw %d, scheduled %d", len(log), r.Total.Scheduled)
	}
	seen := map[int]bool{}
	inversions := 0
	prev := -1
	for _, g := range log {
		seq, err := strconv.Atoi(g.seq)
		if err != nil || seen[seq] || seq < 0 || seq >= len(log) {
			t.Fatalf("seq %q (dup %v)", g.seq, seen[seq])
		}
		seen[seq] = true
		if want := rows[seq%len(rows)]; g.user != want || g.path != "/u/"+want {
			t.Errorf("seq %d: user %q path %q, want row %q", seq, g.user, g.path, want)
		}
		if seq < prev {
			inversions++
		}
		prev = max(prev, seq)
	}
	if lag, svc := r.Total.SendLag.Max, r.Total.ServiceTime.Max; inversions > 0 && lag+svc < 0.010 {
		t.Errorf("%d requests arrived out of order, with send lag at most %v and service time at most %v (together < the 10 ms between arrivals)", inversions, lag, svc)
	}
}

// checkSeqsOnce checks that the logged X-Seq values are 0…n−1 once each.
func checkSeqsOnce(t *testing.T, log []got, n int64) {
	t.Helper()
	seen := make([]int, n)
	for _, g := range log {
		k, err := strconv.ParseInt(g.seq, 10, 64)
		if err != nil || k < 0 || k >= n {
			t.Fatalf("seq %q out of 0…%d", g.seq, n-1)
		}
		seen[k]++
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("seq %d seen %d times", k, c)
		}
	}
}

// TestMixShardsMerge: a Poisson mix run as two shards (one after the
// other) and merged gives the whole plan's by_request (every count exact,
// histograms holding as many values) and the server sees {{seq}} 0…n−1
// exactly once across the shards, as in one run of the whole plan.
func TestMixShardsMerge(t *testing.T) {
	prof := func(base string) *profile.Profile {
		p := weighted(base, 300, time.Second)
		p.Arrival = "poisson"
		return p
	}
	whole, wbase := newLogServer(t)
	one := mustRun(t, prof(wbase), Overrides{}, Options{})
	checkSeqsOnce(t, whole.log(), one.Total.Scheduled)

	shards, sbase := newLogServer(t)
	var rs []*result.Result
	for i := 1; i <= 2; i++ {
		rs = append(rs, mustRun(t, prof(sbase), Overrides{Shard: fmt.Sprintf("%d/2", i)}, Options{}))
	}
	m, err := merge.Merge(rs)
	if err != nil {
		t.Fatal(err)
	}
	checkSeqsOnce(t, shards.log(), one.Total.Scheduled)
	for i := -1; i < len(one.Stages); i++ {
		a, b := &one.Total, &m.Total
		if i >= 0 {
			a, b = &one.Stages[i], &m.Stages[i]
		}
		if len(a.ByRequest) != 3 || len(b.ByRequest) != 3 {
			t.Fatalf("by_request %v / %v", a.ByRequest, b.ByRequest)
		}
		for name, x := range a.ByRequest {
			y := b.ByRequest[name]
			if y == nil || x.Scheduled != y.Scheduled || x.Sent != y.Sent || x.NotSent != y.NotSent || x.Completed != y.Completed ||
				fmt.Sprint(x.Status) != fmt.Sprint(y.Status) || fmt.Sprint(x.Errors) != fmt.Sprint(y.Errors) ||
				x.Latency.Count != y.Latency.Count || x.ServiceTime.Count != y.ServiceTime.Count || x.Latency2xx.Count != y.Latency2xx.Count {
				t.Errorf("stage %d %s: whole %+v, merged %+v", i+1, name, x, y)
			}
		}
	}
}

// TestReplay: a 12 s JSON log of 600 requests (gaps of 10 to 30 ms),
// replayed at speed 2 (about 100 rps for 6 s) to a server in a process of
// its own: the server sees every logged request once, in order, each at
// its scaled offset. The error of request i is (its receipt − the first's
// receipt) − (tᵢ − t₀)/2; its p99 must be at most 5 ms plus a slack derived
// from the run's send lag (below) on a noisy machine.
func TestReplay(t *testing.T) {
	base, stop, srvPID := startLogProcess(t)
	dir := t.TempDir()
	var b strings.Builder
	t0 := 1733140800.0
	const n = 600
	offs := make([]float64, n)
	var at float64
	for i := range offs {
		offs[i] = at
		fmt.Fprintf(&b, `{"time": %.6f, "url": "/r/%d"}`+"\n", t0+at, i)
		at += 0.010 + 0.020*float64((i*7919)%101)/100 // deterministic gaps of 10–30 ms
	}
	// A request before the run, so that the server process's first accept
	// (a cold process: its goroutines, buffers, page faults) is not timed.
	if resp, err := http.Get(base + "warm"); err == nil {
		resp.Body.Close()
	}
	file := filepath.Join(dir, "log.jsonl")
	os.WriteFile(file, []byte(b.String()), 0o644)
	// The generator's and the server's run-queue waits: the generator's
	// by a meter (its recorder thread ends with the run), the server's
	// threads live on.
	meter := runqueue.Start()
	ws0, _ := runqueue.WaitOf(srvPID)
	r := mustRun(t, nil, Overrides{URL: base, Replay: file, ReplaySpeed: 2, ReplayStage: time.Second}, Options{LogRequests: filepath.Join(dir, "requests.csv")})
	wg, okg := meter.Stop()
	ws1, oks := runqueue.WaitOf(srvPID)
	wait, waitKnown := wg+ws1-ws0, okg && oks
	if r.Arrival != "replay" || r.Plan.Profile != "replay" || r.Total.Scheduled != n || r.Total.Status["200"] != n {
		t.Fatalf("arrival %q, plan %q, scheduled %d, status %v", r.Arrival, r.Plan.Profile, r.Total.Scheduled, r.Total.Status)
	}
	if len(r.Total.ByRequest) != 101 || r.Total.ByRequest["other"] == nil || r.Total.ByRequest["other"].Sent != n-100 {
		t.Errorf("by_request: %d names, other %+v", len(r.Total.ByRequest), r.Total.ByRequest["other"])
	}
	log := stop()[1:] // less the warm-up
	if len(log) != n {
		t.Fatalf("server saw %d of %d", len(log), n)
	}
	var errs, shifts []float64
	seen := make([]bool, n)
	var last, lastErr float64
	for k, g := range log {
		i, err := strconv.Atoi(strings.TrimPrefix(g.path, "/r/"))
		if err != nil || seen[i] {
			t.Fatalf("receipt %d: %q (seen before: %v)", k, g.path, err == nil && seen[i])
		}
		seen[i] = true
		e := g.at.Sub(log[0].at).Seconds() - offs[i]/2
		errs = append(errs, math.Abs(e))
		shifts = append(shifts, e)
		// In order: a request received after a later one is allowed only
		// when their gap is within the two requests' own offset errors
		// (a delivery delay the error check below counts and bounds).
		if at := offs[i] / 2; at < last && last-at > math.Abs(e)+math.Abs(lastErr) {
			t.Errorf("request %d (at %.1f ms) received after one at %.1f ms, with errors %.2f and %.2f ms", i, at*1e3, last*1e3, e*1e3, lastErr*1e3)
		} else if at >= last {
			last, lastErr = at, e
		}
	}
	sort.Float64s(errs)
	p99 := errs[len(errs)*99/100]
	// The first receipt, the reference, is itself late by up to the first
	// request's latency (its response left the server after it arrived):
	// on a fresh connection to a busy machine that is milliseconds. So the
	// errors are also measured against their median shift, the replay's
	// accuracy without the reference's own delay; both are bounded.
	sort.Float64s(shifts)
	med := shifts[len(shifts)/2]
	var rel []float64
	for _, e := range shifts {
		rel = append(rel, math.Abs(e-med))
	}
	sort.Float64s(rel)
	relP99 := rel[len(rel)*99/100]
	first := firstLatency(t, filepath.Join(dir, "requests.csv"))
	// The slack: how late this machine wakes a process, beyond the 1 ms a
	// quiet one needs, as the generator measured it on itself (its send-lag
	// p99), twice: the server's receipt suffers the same CPUs once more.
	slack := 2 * max(0, r.Total.SendLag.P99-0.001)
	t.Logf("offset error vs the first receipt: p99 %.3f ms, max %.3f ms; vs the median shift (%.3f ms): p99 %.3f ms; send lag p99 %.3f ms; first request's latency %.3f ms",
		p99*1e3, errs[len(errs)-1]*1e3, med*1e3, relP99*1e3, r.Total.SendLag.P99*1e3, first*1e3)
	// A bound missed by less than the two processes waited for a processor
	// during the run (CI's two cores shared with other packages; the
	// server's wait is not in the generator's send lag) says nothing about
	// the replay: skip, with the figures. Missed by more, it fails.
	excess := max(relP99-(0.005+slack), p99-(0.005+slack+first))
	if excess > 0 && waitKnown && wait.Seconds() >= excess {
		t.Skipf("offset error p99 %.3f ms (vs the median shift), %.3f ms (vs the first receipt), over the bound by %.3f ms while the generator and the server waited %s for a processor: the machine starved the run",
			relP99*1e3, p99*1e3, excess*1e3, wait)
	}
	if relP99 > 0.005+slack {
		t.Errorf("offset error p99 %.3f ms (vs the median shift) > %.3f ms", relP99*1e3, (0.005+slack)*1e3)
	}
	if p99 > 0.005+slack+first {
		t.Errorf("offset error p99 %.3f ms (vs the first receipt) > %.3f ms", p99*1e3, (0.005+slack+first)*1e3)
	}
}

// firstLatency is the latency of arrival 0 in a request log (seconds).
func firstLatency(t *testing.T, file string) float64 {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ",")
		if len(f) > 5 && f[0] == "0" {
			ns, _ := strconv.ParseFloat(f[5], 64)
			return ns / 1e9
		}
	}
	t.Fatal("no arrival 0 in the request log")
	return 0
}

// requestLogNames counts the request log's rows by its request column.
func requestLogNames(t *testing.T, path string) map[string]int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 || rows[0][len(rows[0])-1] != "request" {
		t.Fatalf("request log: %v, header %q", err, rows[:min(1, len(rows))])
	}
	out := map[string]int64{}
	for _, row := range rows[1:] {
		out[row[len(row)-1]]++
	}
	return out
}
