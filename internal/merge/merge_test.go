package merge_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/merge"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// stepSpec is a 3-stage step plan split into shards.
func stepSpec(arrival string, shards int) mergetest.Spec {
	return mergetest.Spec{
		Start:   t0,
		URL:     "http://127.0.0.1:8080/",
		Profile: "step",
		Stages: []result.PlanStage{
			{Name: "step 1 @ 300 rps", StartS: 0, DurationS: 4, Rate: 300},
			{Name: "step 2 @ 600 rps", StartS: 4, DurationS: 4, Rate: 600},
			{Name: "step 3 @ 900 rps", StartS: 8, DurationS: 4, Rate: 900},
		},
		Arrival: arrival,
		Seed:    7,
		Service: 2 * time.Millisecond,
		Reject:  0.02,
		Timeout: 0.005,
		NotSent: 0.003,
		Shards:  shards,
	}
}

func mustMerge(t *testing.T, rs ...*result.Result) *result.Result {
	t.Helper()
	m, err := merge.Merge(rs)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	return m
}

// The acceptance property: merged percentiles are those of one histogram of
// every raw sample, exactly; counts are sums.
func TestMergeShardsIsExact(t *testing.T) {
	for _, arrival := range []string{"uniform", "poisson"} {
		t.Run(arrival, func(t *testing.T) {
			spec := stepSpec(arrival, 4)
			shards, reqs := mergetest.MustBuild(spec)
			m := mustMerge(t, shards...)

			if m.Shard != nil || len(m.Merged) != 4 {
				t.Fatalf("shard = %v, merged = %v; want nil and 4 shards", m.Shard, m.Merged)
			}
			for k, ps := range spec.Stages {
				in := mergetest.Between(reqs, ps.StartS, ps.StartS+ps.DurationS)
				checkStageExact(t, m.Stages[k], in)
				if got, want := m.Stages[k].OfferedRPS, ps.Rate; math.Abs(got-want) > 1e-9 {
					t.Errorf("stage %d offered_rps = %g, want the full plan's %g", k+1, got, want)
				}
			}
			checkStageExact(t, m.Total, reqs)
			var scheduled int64
			for _, s := range shards {
				scheduled += s.Total.Scheduled
			}
			if m.Total.Scheduled != scheduled || scheduled != int64(len(reqs)) {
				t.Errorf("total scheduled = %d, Σ shards = %d, raw = %d", m.Total.Scheduled, scheduled, len(reqs))
			}
			for k, w := range m.Timeline {
				in := mergetest.Between(reqs, float64(k), float64(k+1))
				ref := result.Summarize(mergetest.Histogram(in, mergetest.Latency))
				if w.P50S != ref.P50 || w.P99S != ref.P99 || w.MaxS != ref.Max || w.MeanS != ref.Mean {
					t.Errorf("window %d: p50/p99/max/mean = %g/%g/%g/%g, want %g/%g/%g/%g",
						k, w.P50S, w.P99S, w.MaxS, w.MeanS, ref.P50, ref.P99, ref.Max, ref.Mean)
				}
				if w.Scheduled != int64(len(in)) {
					t.Errorf("window %d: scheduled = %d, want %d", k, w.Scheduled, len(in))
				}
				if w.Scrape["queue_depth"] != float64(k%7) {
					t.Errorf("window %d: scrape = %v, want the shards' common value %d", k, w.Scrape, k%7)
				}
			}
			if len(m.Timeline) != 12 {
				t.Errorf("timeline has %d windows, want 12", len(m.Timeline))
			}
		})
	}
}

// checkStageExact compares a merged stage with the raw requests it covers.
func checkStageExact(t *testing.T, st result.Stage, reqs []mergetest.Request) {
	t.Helper()
	for _, c := range []struct {
		name  string
		got   result.Summary
		enc   string
		value func(mergetest.Request) (int64, bool)
	}{
		{"latency", st.Latency, st.HDR.Latency, mergetest.Latency},
		{"latency_2xx", st.Latency2xx, st.HDR.Latency2xx, mergetest.Latency2xx},
		{"service_time", st.ServiceTime, st.HDR.ServiceTime, mergetest.ServiceTime},
		{"send_lag", st.SendLag, st.HDR.SendLag, mergetest.SendLag},
	} {
		h := mergetest.Histogram(reqs, c.value)
		if want := result.Summarize(h); c.got != want {
			t.Errorf("stage %d %s:\n got %+v\nwant %+v", st.Index, c.name, c.got, want)
		}
		if want, _ := result.EncodeHist(h); c.enc != want {
			t.Errorf("stage %d hdr.%s differs from the encoding of one histogram of all samples", st.Index, c.name)
		}
	}
	var sent, notSent, responses int64
	status := map[string]int64{}
	for _, q := range reqs {
		switch {
		case q.NotSent:
			notSent++
		case q.Status != 0:
			responses++
			status[strconv.Itoa(q.Status)]++
			sent++
		default:
			sent++
		}
	}
	if st.Scheduled != int64(len(reqs)) || st.Sent != sent || st.NotSent != notSent || st.Completed != sent {
		t.Errorf("stage %d counts scheduled/sent/not_sent/completed = %d/%d/%d/%d, want %d/%d/%d/%d",
			st.Index, st.Scheduled, st.Sent, st.NotSent, st.Completed, len(reqs), sent, notSent, sent)
	}
	if !reflect.DeepEqual(st.Status, status) {
		t.Errorf("stage %d status = %v, want %v", st.Index, st.Status, status)
	}
	if !st.Conserved() {
		t.Errorf("stage %d does not conserve requests: %+v", st.Index, st)
	}
}

// Merging a result with itself doubles every count and leaves every
// percentile as it was.
func TestMergeSelfDoublesCounts(t *testing.T) {
	rs, _ := mergetest.MustBuild(stepSpec("poisson", 0))
	r := rs[0]
	r.Connections, r.Retries, r.TCPRetransmits = 7, 2, 3
	r2 := *r // the same counts, another loop's timer slack: the merge keeps the largest
	r.TimerSlackS, r2.TimerSlackS = 50e-6, 80e-6
	m := mustMerge(t, r, &r2)
	if m.Connections != 14 || m.Retries != 4 || m.TCPRetransmits != 6 || m.TimerSlackS != 80e-6 {
		t.Errorf("connections %d, retries %d, tcp_retransmits %d, timer_slack_s %g: want 14, 4, 6, 8e-05", m.Connections, m.Retries, m.TCPRetransmits, m.TimerSlackS)
	}
	for k := range r.Stages {
		a, b := r.Stages[k], m.Stages[k]
		if b.Scheduled != 2*a.Scheduled || b.Sent != 2*a.Sent || b.NotSent != 2*a.NotSent || b.Completed != 2*a.Completed {
			t.Errorf("stage %d counts not doubled: %d/%d/%d/%d from %d/%d/%d/%d", k+1,
				b.Scheduled, b.Sent, b.NotSent, b.Completed, a.Scheduled, a.Sent, a.NotSent, a.Completed)
		}
		for code, n := range a.Status {
			if b.Status[code] != 2*n {
				t.Errorf("stage %d status %s = %d, want %d", k+1, code, b.Status[code], 2*n)
			}
		}
		for _, pair := range [][2]result.Summary{{a.Latency, b.Latency}, {a.Latency2xx, b.Latency2xx},
			{a.ServiceTime, b.ServiceTime}, {a.SendLag, b.SendLag}, {a.ServerTiming.Service, b.ServerTiming.Service}} {
			samePercentiles(t, fmt.Sprintf("stage %d", k+1), pair[0], pair[1])
		}
		for _, enc := range [][2]string{{a.HDR.Latency, b.HDR.Latency}, {a.HDR.ServiceTime, b.HDR.ServiceTime}} {
			x, y := decode(t, enc[0]), decode(t, enc[1])
			for _, p := range []float64{50, 90, 95, 99, 99.9, 99.99, 100} {
				if qx, qy := result.QuantileNS(x, p), result.QuantileNS(y, p); qx != qy {
					t.Errorf("stage %d p%g = %d ns after self-merge, was %d", k+1, p, qy, qx)
				}
			}
		}
		approx(t, "achieved_rps", b.AchievedRPS, 2*a.AchievedRPS)
		approx(t, "throughput_rps", b.ThroughputRPS, 2*a.ThroughputRPS)
		approx(t, "offered_rps", b.OfferedRPS, 2*a.OfferedRPS)
		approx(t, "in_flight_mean", b.InFlightMean, 2*a.InFlightMean)
		approx(t, "busy_s", b.BusyS, 2*a.BusyS)
		// The SCVs are recomputed from the pooled sums (sample variance, n−1).
		approx(t, "arrival_scv", b.ArrivalSCV, result.SCV(2*a.Gaps, 2*a.GapSum, 2*a.GapSumSq))
		approx(t, "server service_scv", b.ServerTiming.ServiceSCV,
			result.SCV(2*a.ServerTiming.Service.Count, 2*a.ServerTiming.ServiceSum, 2*a.ServerTiming.ServiceSumSq))
		if b.InFlightMax != 2*a.InFlightMax {
			t.Errorf("in_flight_max = %d, want the sum %d", b.InFlightMax, 2*a.InFlightMax)
		}
	}
	if len(m.Timeline) != len(r.Timeline) {
		t.Fatalf("timeline has %d windows, want %d", len(m.Timeline), len(r.Timeline))
	}
	for k, w := range m.Timeline {
		x := r.Timeline[k]
		if w.Scheduled != 2*x.Scheduled || w.MaxS != x.MaxS || w.MeanS != x.MeanS {
			t.Errorf("window %d: scheduled %d max %g mean %g; want %d %g %g",
				k, w.Scheduled, w.MaxS, w.MeanS, 2*x.Scheduled, x.MaxS, x.MeanS)
		}
	}
	if want := []result.Shard{{Index: 1}, {Index: 2}}; !reflect.DeepEqual(m.Merged, want) {
		t.Errorf("merged = %v, want %v", m.Merged, want)
	}
}

// samePercentiles checks that b is a with every count doubled: the same
// min, mean and max exactly. Its percentiles are checked exactly by the
// caller with result.QuantileNS, and by TestMergeSelfKeepsSummaryPercentiles
// through result.Summarize.
func samePercentiles(t *testing.T, where string, a, b result.Summary) {
	t.Helper()
	if b.Count != 2*a.Count || b.Min != a.Min || b.Mean != a.Mean || b.Max != a.Max {
		t.Errorf("%s: count/min/mean/max = %d/%g/%g/%g, want %d/%g/%g/%g",
			where, b.Count, b.Min, b.Mean, b.Max, 2*a.Count, a.Min, a.Mean, a.Max)
	}
}

func decode(t *testing.T, enc string) *hdr.Histogram {
	t.Helper()
	h, err := result.DecodeHist(enc)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// The summaries' percentiles stay exactly as they were after a self-merge,
// because result.Summarize's percentile rule (result.QuantileNS, rank ⌈p·n⌉)
// is invariant under doubling every count; hdrhistogram-go's own
// nearest-rank rule is not (it can move to the adjacent sample, which in a
// sparse tail is far away).
func TestMergeSelfKeepsSummaryPercentiles(t *testing.T) {
	rs, _ := mergetest.MustBuild(stepSpec("poisson", 0))
	r := rs[0]
	m := mustMerge(t, r, r)
	for k := range r.Stages {
		a, b := r.Stages[k], m.Stages[k]
		a.Latency.Count, b.Latency.Count = 0, 0
		if a.Latency != b.Latency {
			t.Errorf("stage %d latency changed:\n was %+v\n now %+v", k+1, a.Latency, b.Latency)
		}
	}
	for k, w := range m.Timeline {
		x := r.Timeline[k]
		if w.P50S != x.P50S || w.P90S != x.P90S || w.P99S != x.P99S {
			t.Errorf("window %d percentiles changed: %g %g %g, were %g %g %g", k, w.P50S, w.P90S, w.P99S, x.P50S, x.P90S, x.P99S)
		}
	}
}

// A merge of one result is that result.
func TestMergeOneIsIdentity(t *testing.T) {
	rs, _ := mergetest.MustBuild(stepSpec("uniform", 0))
	r := rs[0]
	m := mustMerge(t, r)
	if !reflect.DeepEqual(m.Stages, r.Stages) || !reflect.DeepEqual(m.Total, r.Total) {
		t.Error("merging one result changed its stages")
	}
	if !reflect.DeepEqual(m.Timeline, r.Timeline) {
		t.Error("merging one result changed its timeline")
	}
}

func approx(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
		t.Errorf("%s = %g, want %g", name, got, want)
	}
}

// Merging merges gives the same stages as merging the shards at once.
func TestMergeIsAssociative(t *testing.T) {
	shards, _ := mergetest.MustBuild(stepSpec("uniform", 4))
	all := mustMerge(t, shards...)
	left := mustMerge(t, shards[0], shards[1])
	right := mustMerge(t, shards[2], shards[3])
	both := mustMerge(t, roundTrip(t, left), roundTrip(t, right))
	for k := range all.Stages {
		a, b := all.Stages[k], both.Stages[k]
		if a.Latency != b.Latency || a.Scheduled != b.Scheduled || a.HDR != b.HDR {
			t.Errorf("stage %d differs between one merge and a merge of merges", k+1)
		}
	}
	if !reflect.DeepEqual(both.Merged, all.Merged) {
		t.Errorf("merged = %v, want %v", both.Merged, all.Merged)
	}
	if _, err := merge.Merge([]*result.Result{left, shards[1]}); err == nil ||
		!strings.Contains(err.Error(), "shard 2/4 is also in input 1") {
		t.Errorf("re-merging a shard: err = %v, want a duplicate-shard error", err)
	}
}

// clone deep-copies results through JSON.
func clone(t *testing.T, rs []*result.Result) []*result.Result {
	t.Helper()
	out := make([]*result.Result, len(rs))
	for i, r := range rs {
		out[i] = roundTrip(t, r)
	}
	return out
}

// roundTrip writes r as JSON and reads it back, as the command does.
func roundTrip(t *testing.T, r *result.Result) *result.Result {
	t.Helper()
	var b strings.Builder
	if err := result.Write(&b, r); err != nil {
		t.Fatal(err)
	}
	back, err := result.Read(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestMergeDoesNotModifyInputs(t *testing.T) {
	shards, _ := mergetest.MustBuild(stepSpec("uniform", 2))
	before, _ := json.Marshal(shards)
	mustMerge(t, shards...)
	after, _ := json.Marshal(shards)
	if string(before) != string(after) {
		t.Error("Merge modified its inputs")
	}
}

func TestMergeWarnings(t *testing.T) {
	shards, _ := mergetest.MustBuild(stepSpec("uniform", 4))
	shards[0].Warnings = []string{"send lag p99 is 12ms"}
	shards[2].Warnings = []string{"send lag p99 is 12ms", "3 requests not sent"}
	m := mustMerge(t, shards[0], shards[2], shards[3])
	want := []string{
		"shard 1/4, shard 3/4: send lag p99 is 12ms",
		"shard 3/4: 3 requests not sent",
		"merge: only 3 of 4 shards merged (1/4,3/4,4/4): the result covers that share of the plan",
		"merge: in_flight_max is the sum of the 3 inputs' maxima, an upper bound of the merged peak (the inputs' peaks need not coincide)",
		"merge: arrival_scv is pooled from each input's own gaps: the union of uniform streams is uniform only if they started in phase",
	}
	if !reflect.DeepEqual(m.Warnings, want) {
		t.Errorf("warnings:\n got %q\nwant %q", m.Warnings, want)
	}
	if m.Analysis != nil || len(m.Assertions) != 0 {
		t.Errorf("analysis/assertions carried over: %v %v", m.Analysis, m.Assertions)
	}
}

func TestMergeAlignsWindowsByWallClock(t *testing.T) {
	built, reqs := mergetest.MustBuild(stepSpec("uniform", 4))
	for _, c := range []struct {
		skew    time.Duration
		windows int    // merged timeline length
		warning string // substring of a warning, "" for none
	}{
		{0, 12, ""},
		{150 * time.Millisecond, 12, ""}, // 3 × 150ms = 450ms < half a window: same windows
		{400 * time.Millisecond, 13, "started up to 1.2s apart"},
		{3 * time.Second, 21, "started up to 9s apart"},
		{5 * time.Minute, 12, "did not run together"},
	} {
		t.Run(c.skew.String(), func(t *testing.T) {
			shards := clone(t, built)
			for k, s := range shards {
				s.StartedAt = t0.Add(time.Duration(k) * c.skew) // as Spec.Skew would
			}
			m := mustMerge(t, shards...)
			if len(m.Timeline) != c.windows {
				t.Errorf("timeline has %d windows, want %d", len(m.Timeline), c.windows)
			}
			var scheduled int64
			for k, w := range m.Timeline {
				scheduled += w.Scheduled
				if w.TS != float64(k) || w.Status == nil || len(w.Errors) != len(result.ErrorClasses) {
					t.Errorf("window %d malformed: %+v", k, w)
				}
			}
			if scheduled != int64(len(reqs)) {
				t.Errorf("windows hold %d requests, want %d", scheduled, len(reqs))
			}
			if !m.StartedAt.Equal(t0) {
				t.Errorf("started_at = %v, want the earliest %v", m.StartedAt, t0)
			}
			if want := 3*c.skew.Seconds() + shards[0].ElapsedS; math.Abs(m.ElapsedS-want) > 1e-9 {
				t.Errorf("elapsed_s = %g, want %g", m.ElapsedS, want)
			}
			found := c.warning == ""
			for _, w := range m.Warnings {
				if c.warning != "" && strings.Contains(w, c.warning) {
					found = true
				}
				if c.warning == "" && strings.Contains(w, "apart") {
					t.Errorf("unexpected warning %q", w)
				}
			}
			if !found {
				t.Errorf("no warning containing %q in %q", c.warning, m.Warnings)
			}
		})
	}
}

// A level counts one process's own requests in flight; the target held
// every shard's. A merge of several inputs keeps no levels (two shards'
// requests refused at their levels of 12 by a limit of 24 would read as
// refused below any limit), one input keeps its own, and consecutive
// parts of one process (Concat) add up, unless one has none.
func TestMergeLevels(t *testing.T) {
	rs, _ := mergetest.MustBuild(stepSpec("poisson", 0))
	r := rs[0]
	withLevels := func(r *result.Result, l []int64) *result.Result {
		c := *r
		c.Stages = append([]result.Stage(nil), r.Stages...)
		for i := range c.Stages {
			c.Stages[i].InFlightAtSend = map[string][]int64{"200": l}
		}
		c.Total.InFlightAtSend = map[string][]int64{"200": l}
		return &c
	}
	a := withLevels(r, []int64{3, 2, 1})
	if m := mustMerge(t, a); !reflect.DeepEqual(m.Stages[0].InFlightAtSend, a.Stages[0].InFlightAtSend) || m.Total.InFlightAtSend == nil {
		t.Errorf("one input: levels %v, total %v; want its own", m.Stages[0].InFlightAtSend, m.Total.InFlightAtSend)
	}
	if m := mustMerge(t, a, a); m.Stages[0].InFlightAtSend != nil || m.Total.InFlightAtSend != nil {
		t.Errorf("two inputs: levels %v, total %v; want none", m.Stages[0].InFlightAtSend, m.Total.InFlightAtSend)
	}
	b := withLevels(r, []int64{0, 0, 0, 5})
	c, err := merge.Concat([]result.Stage{a.Stages[0], b.Stages[0]})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string][]int64{"200": {3, 2, 1, 5}}; !reflect.DeepEqual(c.InFlightAtSend, want) {
		t.Errorf("concatenated: %v, want %v", c.InFlightAtSend, want)
	}
	old := r.Stages[0] // recorded before levels were
	old.InFlightAtSend = nil
	if c, err := merge.Concat([]result.Stage{a.Stages[0], old}); err != nil || c.InFlightAtSend != nil {
		t.Errorf("concatenated with a part without levels: %v, %v", c.InFlightAtSend, err)
	}
}
