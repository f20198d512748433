package assert

import (
	"fmt"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// timeline is 27 one-second windows: 0..24 schedule 10 requests each but
// window 12 (a pause), 25 and 26 only drain. Window i answers 10 × 200 in
// (i+1) ms + j·37 µs, except window 3, where 2 of them are 503s in 900 ms.
func timeline(t testing.TB) (tl []result.Window, lat [][]time.Duration) {
	for i := range 27 {
		w := result.Window{TS: float64(i), DurationS: 1, Status: map[string]int64{}, Errors: map[string]int64{}}
		var ds []time.Duration
		if i < 25 && i != 12 {
			w.Scheduled, w.Sent, w.Completed = 10, 10, 10
			ds = ms(float64(i+1), 0.037, 10)
			w.Status["200"] = 10
			ok := ds
			if i == 3 {
				ds = cat(ds[:8], ms(900, 0, 2))
				ok = ds[:8]
				w.Status["200"], w.Status["503"] = 8, 2
			}
			w.HDR = result.WindowHDR{Latency: enc(t, ds...), Latency2xx: enc(t, ok...), ServiceTime: enc(t, ok...)}
		}
		tl = append(tl, w)
		lat = append(lat, ds)
	}
	return tl, lat
}

func TestEvaluateEachWindow(t *testing.T) {
	tl, lat := timeline(t)
	r := &result.Result{Stages: []result.Stage{{}}, Timeline: tl}
	as := eval(t, r, "p99 < 1s in each 10s", "rps >= 9 in each 10s", "ratio(5xx) < 1% in each 10s")
	want := []struct {
		scope    string
		observed float64
		pass     bool
	}{
		// p99 of one histogram of all the group's values: merging is exact.
		{"window 0s-10s", quantile(t, 99, cat(lat[0:10]...)...), true},
		{"window 10s-20s", quantile(t, 99, cat(lat[10:20]...)...), true},
		{"window 20s-25s", quantile(t, 99, cat(lat[20:25]...)...), true},
		{"window 0s-10s", 9.8, true},        // 98 2xx in 10 s
		{"window 10s-20s", 9, true},         // 90 2xx in 10 s: window 12 is a pause
		{"window 20s-25s", 10, true},        // the last group ends with its last scheduled window
		{"window 0s-10s", 2.0 / 100, false}, // window 3's two 503s
		{"window 10s-20s", 0, true},
		{"window 20s-25s", 0, true},
	}
	if len(as) != len(want) {
		t.Fatalf("got %d parts, want %d: %+v", len(as), len(want), as)
	}
	for i, w := range want {
		if as[i].Scope != w.scope || as[i].Observed != w.observed || as[i].Pass != w.pass || as[i].Note != "" {
			t.Errorf("part %d = %+v, want %s observed %v pass %v", i, as[i], w.scope, w.observed, w.pass)
		}
	}
	// The 503s at 900 ms are p99 of window 0-10s only with an exact merge;
	// one histogram per group, not an average of the windows' p99s.
	if as[0].Observed < 0.9 {
		t.Errorf("merged p99 %v misses the 900 ms responses", as[0].Observed)
	}
}

func TestEvaluateEachWindowSizes(t *testing.T) {
	tl, lat := timeline(t)
	r := &result.Result{Stages: []result.Stage{{}}, Timeline: tl}

	as := eval(t, r, "2xx.max < 1s in each 1s")
	if len(as) != 24 { // 25 windows with requests, less window 12
		t.Fatalf("each 1s: %d parts, want 24", len(as))
	}
	for _, a := range as {
		var i int
		if _, err := fmt.Sscanf(a.Scope, "window %ds-", &i); err != nil {
			t.Fatalf("scope %q: %v", a.Scope, err)
		}
		ok := lat[i]
		if i == 3 {
			ok = ok[:8]
		}
		if want := fmt.Sprintf("window %ds-%ds", i, i+1); a.Scope != want || a.Observed != quantile(t, 100, ok...) {
			t.Errorf("%+v, want scope %s and the window's 2xx max", a, want)
		}
	}

	as = eval(t, r, "service.p50 < 1s in each 1m")
	if len(as) != 1 || as[0].Scope != "window 0s-25s" || as[0].Observed != serviceP50(t, lat) {
		t.Errorf("each 1m = %+v, want one part over the whole timeline", as)
	}
}

// serviceP50 is the median of every 2xx latency of the timeline (the
// fixture records the service time of 2xx responses only).
func serviceP50(t testing.TB, lat [][]time.Duration) float64 {
	var all []time.Duration
	for i, ds := range lat {
		if i == 3 {
			ds = ds[:8]
		}
		all = append(all, ds...)
	}
	return quantile(t, 50, all...)
}

// A group whose windows lack histograms fails, rather than report a
// percentile of part of its responses; a lone window falls back to its
// own summary fields.
func TestEvaluateWindowMissingHistogram(t *testing.T) {
	tl, _ := timeline(t)
	tl[5].HDR.Latency = ""
	tl[5].P99S, tl[5].MaxS = 0.123, 0.2
	r := &result.Result{Stages: []result.Stage{{}}, Timeline: tl}

	as := eval(t, r, "p99 < 1s in each 10s")
	if as[0].Pass || as[0].Note != "no histogram in the result for these responses" || as[1].Note != "" {
		t.Errorf("group with a missing histogram: %+v", as[:2])
	}
	as = eval(t, r, "p99 < 1s in each 1s", "p95 < 1s in each 1s")
	if a := as[5]; a.Scope != "window 5s-6s" || a.Observed != 0.123 || !a.Pass {
		t.Errorf("window 5 p99 = %+v, want its p99_s", a)
	}
	if a := as[24+5]; a.Pass || a.Note != "no histogram in the result, and its summary has no p95" {
		t.Errorf("window 5 p95 = %+v", a)
	}
}

// One timeline merge serves every assertion over the same scope.
func TestEvaluateCachesParts(t *testing.T) {
	tl, _ := timeline(t)
	r := &result.Result{Stages: []result.Stage{{}}, Timeline: tl}
	es, _ := ParseAll([]string{"p99 < 1s in each 10s", "max < 1s in each 10s"})
	ev := evaluator{r: r, parts: map[Scope][]*part{}}
	a, _ := ev.partsFor(es[0].Scope)
	b, _ := ev.partsFor(es[1].Scope)
	if len(a) != 3 || a[0] != b[0] {
		t.Error("parts were built twice")
	}
}
