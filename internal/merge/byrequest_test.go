package merge_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/merge"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

var testMix = []mergetest.MixEntry{{Name: "home", Weight: 7}, {Name: "search", Weight: 2, Slow: 3}, {Name: "checkout", Weight: 1, Slow: 10}}

// TestMergeByRequestIsExact: merging the shards of a mixed run gives, for
// every stage and the total, the by_request of one result of the whole
// plan: the same counts and the same histograms (so the same summaries).
func TestMergeByRequestIsExact(t *testing.T) {
	for _, arrival := range []string{"uniform", "poisson"} {
		t.Run(arrival, func(t *testing.T) {
			spec := stepSpec(arrival, 3)
			spec.Mix = testMix
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
			stages := append([]result.Stage{m.Total}, m.Stages...)
			want := append([]result.Stage{whole[0].Total}, whole[0].Stages...)
			for i := range stages {
				got, w := stages[i].ByRequest, want[i].ByRequest
				if len(got) != 3 || len(w) != 3 {
					t.Fatalf("stage %d: %d and %d requests", i, len(got), len(w))
				}
				for name, wq := range w {
					gq := got[name]
					if gq == nil {
						t.Fatalf("stage %d: no %q", i, name)
					}
					if gq.Scheduled != wq.Scheduled || gq.Sent != wq.Sent || gq.NotSent != wq.NotSent || gq.Completed != wq.Completed ||
						!reflect.DeepEqual(gq.Status, wq.Status) || !reflect.DeepEqual(gq.Errors, wq.Errors) || !gq.Conserved() {
						t.Errorf("stage %d %s: counts %+v, want %+v", i, name, gq, wq)
					}
					if gq.Latency != wq.Latency || gq.Latency2xx != wq.Latency2xx || gq.ServiceTime != wq.ServiceTime {
						t.Errorf("stage %d %s: latency %+v, want %+v", i, name, gq.Latency, wq.Latency)
					}
					if d := gq.ThroughputRPS - wq.ThroughputRPS; d > 1e-9 || d < -1e-9 {
						t.Errorf("stage %d %s: throughput %g, want %g", i, name, gq.ThroughputRPS, wq.ThroughputRPS)
					}
				}
				var sum int64
				for _, q := range got {
					sum += q.Scheduled
				}
				if sum != stages[i].Scheduled {
					t.Errorf("stage %d: by_request schedules %d of %d", i, sum, stages[i].Scheduled)
				}
			}
			if m.Total.ByRequest["checkout"].Latency.P50 <= m.Total.ByRequest["home"].Latency.P50 {
				t.Error("the slow request is not slower: the breakdown mixes requests up")
			}
		})
	}
}

func TestMergeByRequestRefusesPartial(t *testing.T) {
	spec := stepSpec("uniform", 2)
	spec.Mix = testMix
	shards, _ := mergetest.MustBuild(spec)
	shards[1].Total.ByRequest = nil
	_, err := merge.Merge(shards)
	var ie *merge.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "total.by_request is absent but present in input 1") {
		t.Fatalf("err = %v", err)
	}
	shards, _ = mergetest.MustBuild(spec)
	shards[1].Stages[0].ByRequest["home"].HDR.Latency = ""
	if _, err := merge.Merge(shards); err == nil || !strings.Contains(err.Error(), `stages[0].by_request["home"].hdr.latency: missing`) {
		t.Fatalf("err = %v", err)
	}
}
