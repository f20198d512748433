package merge_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/merge"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

func retrySpec(arrival string, shards int) mergetest.Spec {
	s := stepSpec(arrival, shards)
	s.Reject = 0.3
	s.Retry = &mergetest.RetrySpec{Max: 3, BackoffMax: 200 * time.Millisecond, Denied: 0.1}
	return s
}

// TestMergeAttemptsIsExact: merging the shards of a retrying run gives the
// attempts, amplification, goodput and per-window attempt counts of one
// result of the whole plan, and those agree with the raw attempts.
func TestMergeAttemptsIsExact(t *testing.T) {
	for _, arrival := range []string{"uniform", "poisson"} {
		t.Run(arrival, func(t *testing.T) {
			spec := retrySpec(arrival, 3)
			reqs := mergetest.Requests(spec)
			shards, err := mergetest.Build(spec, reqs)
			if err != nil {
				t.Fatal(err)
			}
			spec.Shards = 0
			whole, err := mergetest.Build(spec, reqs)
			if err != nil {
				t.Fatal(err)
			}
			m := mustMerge(t, shards...)
			if m.RetryPolicy == nil || *m.RetryPolicy != *whole[0].RetryPolicy {
				t.Fatalf("retry policy %+v", m.RetryPolicy)
			}
			got := append([]result.Stage{m.Total}, m.Stages...)
			want := append([]result.Stage{whole[0].Total}, whole[0].Stages...)
			for i := range got {
				g, w := got[i].Attempts, want[i].Attempts
				if !reflect.DeepEqual(g, w) {
					t.Errorf("stage %d: attempts %+v, want %+v", i, g, w)
				}
				if *got[i].Amplification != *want[i].Amplification || *got[i].GoodputRPS != *want[i].GoodputRPS {
					t.Errorf("stage %d: amplification %g goodput %g, want %g %g", i,
						*got[i].Amplification, *got[i].GoodputRPS, *want[i].Amplification, *want[i].GoodputRPS)
				}
				if !got[i].Conserved() || !got[i].AttemptsConserved() {
					t.Errorf("stage %d: not conserved: %+v attempts %+v", i, got[i], g)
				}
			}
			// The raw attempts: sent, retries, denials, and their windows.
			var sent, retries, denied, notSent, first2xx int64
			windows := make([]result.WindowAttempts, len(m.Timeline))
			for _, q := range reqs {
				for k, a := range q.Attempts {
					switch {
					case a.Denied:
						denied++
					case a.NotSent && k > 0:
						notSent++
					case a.Sent():
						sent++
						w := &windows[min(int(a.IntendedS), len(windows)-1)]
						w.Count++
						if k == 0 {
							w.First++
						} else {
							retries++
						}
					}
				}
				if q.Status/100 == 2 {
					first2xx++
				}
			}
			a := m.Total.Attempts
			if a.Count != sent || a.Retries != retries || a.BudgetDenied != denied || a.NotSent != notSent || retries == 0 || denied == 0 {
				t.Errorf("total attempts %+v; raw: sent %d retries %d denied %d not sent %d", a, sent, retries, denied, notSent)
			}
			if amp := float64(sent) / float64(m.Total.Scheduled); *m.Total.Amplification != amp || amp < 1.2 {
				t.Errorf("amplification %g, raw %g", *m.Total.Amplification, amp)
			}
			if g := float64(first2xx) / m.Total.LengthS(); *m.Total.GoodputRPS != g {
				t.Errorf("goodput %g, raw %g", *m.Total.GoodputRPS, g)
			}
			for k, w := range m.Timeline {
				if w.Attempts == nil || *w.Attempts != windows[k] {
					t.Errorf("window %d: attempts %+v, raw %+v", k, w.Attempts, windows[k])
				}
			}
		})
	}
}

func TestMergeAttemptsRefuses(t *testing.T) {
	shards, _ := mergetest.MustBuild(retrySpec("uniform", 2))
	shards[1].Stages[1].Attempts = nil
	_, err := merge.Merge(shards)
	var ie *merge.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "stages[1].attempts is absent but present in input 1") {
		t.Errorf("partial attempts: %v", err)
	}
	shards, _ = mergetest.MustBuild(retrySpec("uniform", 2))
	shards[1].RetryPolicy.Max = 5
	if _, err := merge.Merge(shards); !errors.As(err, &ie) || !strings.Contains(err.Error(), "retry_policy") {
		t.Errorf("different policies: %v", err)
	}
	shards[1].RetryPolicy = nil
	if _, err := merge.Merge(shards); !errors.As(err, &ie) || !strings.Contains(err.Error(), `retry_policy is "absent" but "present"`) {
		t.Errorf("one input without retries: %v", err)
	}
}

// TestNoRetryUnchanged: a spec without Retry builds results without any
// retry field, so every existing golden stays as it was.
func TestNoRetryUnchanged(t *testing.T) {
	rs, _ := mergetest.MustBuild(stepSpec("uniform", 2))
	m := mustMerge(t, rs...)
	if m.RetryPolicy != nil || m.Total.Attempts != nil || m.Total.Amplification != nil || m.Timeline[0].Attempts != nil {
		t.Error("retry fields without retries")
	}
}
