package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestShardsMergeExactly is issue #7's acceptance: N = 4 shard processes
// run at once (this test binary re-executed as bploadgen) against one
// loopback server, started together with --start-at, and are merged.
//   - Every planned arrival reaches the server exactly once: the union of
//     the shards' request logs is the one-process schedule.
//   - The server sees the planned total rate: its count over the planned
//     interval equals the plan's count within the requests that the
//     measured delays carried across the interval's two edges.
//   - The merged counts are the shards' sums, and the merged percentiles
//     equal those of one HDR histogram built from every request's raw
//     latency (from the request logs), exactly.
func TestShardsMergeExactly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 4 processes for a few seconds")
	}
	var mu sync.Mutex
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		time.Sleep(time.Millisecond)
	}))
	defer srv.Close()

	const n, rate, dur, seed = 4, 400.0, 3 * time.Second, 11
	dir := t.TempDir()
	const lead = 2 * time.Second // for the shards to start together
	startAt := time.Now().Add(lead).Truncate(time.Millisecond)
	var cmds []*exec.Cmd
	for i := 1; i <= n; i++ {
		c := exec.Command(os.Args[0], "run", srv.URL+"/", "--rate", fmt.Sprint(rate), "--duration", dur.String(),
			"--arrival", "poisson", "--seed", fmt.Sprint(seed), "--shard", fmt.Sprintf("%d/%d", i, n), "-q",
			"--start-at", startAt.Format(time.RFC3339Nano),
			"-o", filepath.Join(dir, fmt.Sprintf("s%d.json", i)), "--log-requests", filepath.Join(dir, fmt.Sprintf("s%d.csv", i)))
		c.Env = append(os.Environ(), "BPLOADGEN_AS_MAIN=1")
		var out strings.Builder
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("shard output:\n%s", out.String())
			}
		})
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("shard %d: %v", i+1, err)
		}
	}

	// The plan, computed by the pure schedule.
	whole, err := schedule.New([]schedule.Segment{{Duration: dur, From: rate, To: rate}}, schedule.Poisson, schedule.NewRand(seed), seed, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	planned := map[int64]time.Duration{}
	for {
		a, ok := whole.Next()
		if !ok {
			break
		}
		planned[a.Seq] = a.At
	}

	// Request logs: disjoint, and together the plan.
	all := result.NewHistogram()
	seen := map[int64]bool{}
	var maxDelay time.Duration
	for i := 1; i <= n; i++ {
		f, err := os.Open(filepath.Join(dir, fmt.Sprintf("s%d.csv", i)))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fs := strings.Split(sc.Text(), ",")
			seq, _ := strconv.ParseInt(fs[0], 10, 64)
			at, _ := strconv.ParseInt(fs[2], 10, 64)
			if seen[seq] {
				t.Fatalf("arrival %d in two shards", seq)
			}
			seen[seq] = true
			if want, ok := planned[seq]; !ok || want != time.Duration(at) {
				t.Fatalf("arrival %d at %d is not in the plan (%v)", seq, at, want)
			}
			if fs[7] == "" {
				t.Fatalf("request %d failed: %s", seq, sc.Text())
			}
			sent, _ := strconv.ParseInt(fs[3], 10, 64)
			maxDelay = max(maxDelay, time.Duration(sent-at))
			lat, _ := strconv.ParseInt(fs[5], 10, 64)
			if err := all.RecordValue(result.ClampNS(lat)); err != nil {
				t.Fatal(err)
			}
		}
		f.Close()
	}
	if len(seen) != len(planned) {
		t.Fatalf("shards sent %d arrivals, the plan has %d", len(seen), len(planned))
	}

	// The server saw them all, when the plan says, as one schedule: the
	// k-th request it saw against the k-th planned arrival (absolute, from
	// startAt; both sorted). A request reaches the handler after its
	// intended time: by the client's send lag, then the server's own delay
	// in running the handler, which the client cannot see (under -race on a
	// loaded 2-core machine, tens of ms). If each of n requests is late by
	// d_i in [0, D], the sorted shifts lie in [0, D] as well, so the
	// largest is at most the largest delay; shards off the common start
	// would shift by as much as they were off (launched at once without
	// --start-at, about its lead early).
	mu.Lock()
	seenAt := slices.Clone(arrivals)
	mu.Unlock()
	if len(seenAt) != len(planned) {
		t.Fatalf("server saw %d requests, plan %d", len(seenAt), len(planned))
	}
	plannedAt := make([]time.Time, 0, len(planned))
	for _, at := range planned {
		plannedAt = append(plannedAt, startAt.Add(at))
	}
	slices.SortFunc(seenAt, time.Time.Compare)
	slices.SortFunc(plannedAt, time.Time.Compare)
	lo, hi := time.Duration(math.MaxInt64), time.Duration(math.MinInt64)
	for k := range seenAt {
		d := seenAt[k].Sub(plannedAt[k])
		lo, hi = min(lo, d), max(hi, d)
	}
	t.Logf("server against plan: sorted shifts %s to %s; the clients' largest send lag %s", lo, hi, maxDelay)
	// Early by more than the clock's granularity, or late by the lead the
	// shards were given to start together: not one schedule.
	if lo < -time.Millisecond || hi >= lead {
		t.Errorf("the server saw the requests %s to %s off their planned times", lo, hi)
	}
	// So the server's count over the planned interval lies between the
	// plan's count in it less those planned within the largest shift of
	// its end, and the plan's count in it.
	end := startAt.Add(dur)
	var inPlan, surelyIn int
	for k := range seenAt {
		if !seenAt[k].Before(startAt) && seenAt[k].Before(end) {
			inPlan++
		}
		if plannedAt[k].Before(end.Add(-hi)) {
			surelyIn++
		}
	}
	if inPlan < surelyIn || inPlan > len(planned) {
		t.Errorf("server saw %d in the planned interval; the plan has %d there, %d of them more than %s before its end", inPlan, len(planned), surelyIn, hi)
	}

	// Merge, and compare with the histogram of every raw sample.
	out := filepath.Join(dir, "merged.json")
	args := []string{"merge", "-o", out}
	var sum result.Stage
	for i := 1; i <= n; i++ {
		p := filepath.Join(dir, fmt.Sprintf("s%d.json", i))
		args = append(args, p)
		r, err := result.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sum.Scheduled += r.Total.Scheduled
		sum.Sent += r.Total.Sent
		sum.Completed += r.Total.Completed
	}
	if code, _, errs := execMain(t, context.Background(), args...); code != 0 {
		t.Fatalf("merge exit %d: %s", code, errs)
	}
	m, err := result.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Total.Scheduled != sum.Scheduled || m.Total.Sent != sum.Sent || m.Total.Completed != sum.Completed ||
		m.Total.Scheduled != int64(len(planned)) {
		t.Errorf("merged %d/%d/%d, sums %d/%d/%d, plan %d", m.Total.Scheduled, m.Total.Sent, m.Total.Completed,
			sum.Scheduled, sum.Sent, sum.Completed, len(planned))
	}
	if got, want := m.Total.Latency, result.Summarize(all); got != want {
		t.Errorf("merged latency summary\n %+v\nis not that of all raw samples\n %+v", got, want)
	}
}
