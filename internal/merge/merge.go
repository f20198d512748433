package merge

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Merge combines rs, results of the same plan, into one result by the rules
// of the package doc. It does not modify rs. An input that does not fit is
// refused with an *InputError. The merged result's assertions are empty:
// the caller re-evaluates them on the merged data (see AssertExprs).
func Merge(rs []*result.Result) (*result.Result, error) {
	if len(rs) == 0 {
		return nil, errors.New("merge: no results to merge")
	}
	for i, r := range rs {
		if r == nil {
			return nil, &InputError{Index: i, Other: -1, Reason: "no result"}
		}
	}
	if err := checkInputs(rs); err != nil {
		return nil, err
	}
	ref := rs[0]
	out := &result.Result{
		Schema:     result.Schema,
		Tool:       ref.Tool,
		Target:     ref.Target,
		Arrival:    ref.Arrival,
		Seed:       ref.Seed,
		DurationS:  ref.DurationS,
		Plan:       result.Plan{Profile: ref.Plan.Profile, Stages: slices.Clone(ref.Plan.Stages)},
		TimeoutS:   ref.TimeoutS,
		HDR:        ref.HDR,
		Assertions: []result.Assertion{},
	}
	out.Target.Headers = maps.Clone(ref.Target.Headers)
	out.StartedAt, out.ElapsedS = span(rs)
	for _, r := range rs {
		out.Interrupted = out.Interrupted || r.Interrupted
		out.GeneratorLimited = out.GeneratorLimited || r.GeneratorLimited
		out.MaxInFlight += r.MaxInFlight
		out.Connections += r.Connections
		out.Retries += r.Retries
		out.TCPRetransmits += r.TCPRetransmits
		out.TimerSlackS = max(out.TimerSlackS, r.TimerSlackS)
		if out.Client == "" || out.Client == r.Client {
			out.Client = r.Client
		} else {
			out.Client = "mixed"
		}
	}
	out.Protocol = mergeProtocols(rs)
	out.Merged = mergedList(rs)

	var err error
	if out.Stages, out.Total, err = mergeStages(rs); err != nil {
		return nil, err
	}
	tl, err := mergeTimeline(rs, out.StartedAt)
	if err != nil {
		return nil, err
	}
	out.Timeline = tl.windows
	if ref.RetryPolicy != nil {
		pol := *ref.RetryPolicy
		out.RetryPolicy = &pol
		for k := range out.Timeline {
			if out.Timeline[k].Attempts == nil {
				out.Timeline[k].Attempts = &result.WindowAttempts{}
			}
		}
	}
	out.Samples = mergeSamples(rs)
	out.Warnings = mergeWarnings(rs, labels(rs), append(mergeNotes(rs, out), tl.warnings...))
	if field, v, ok := result.NonFinite(out); ok {
		return nil, fmt.Errorf("the inputs add up past what a number holds: %s is %v", field, v)
	}
	return out, nil
}

// AssertExprs returns the distinct assertion expressions recorded in rs, in
// the order first seen: what `merge` re-evaluates when given no --assert.
func AssertExprs(rs []*result.Result) []string {
	var exprs []string
	for _, r := range rs {
		for _, a := range r.Assertions {
			if a.Expr != "" && !slices.Contains(exprs, a.Expr) {
				exprs = append(exprs, a.Expr)
			}
		}
	}
	return exprs
}

// span returns the earliest start and the time from it to the latest end.
func span(rs []*result.Result) (time.Time, float64) {
	start := rs[0].StartedAt
	for _, r := range rs[1:] {
		if r.StartedAt.Before(start) {
			start = r.StartedAt
		}
	}
	var elapsed float64
	for _, r := range rs {
		elapsed = max(elapsed, r.StartedAt.Sub(start).Seconds()+r.ElapsedS)
	}
	return start, elapsed
}

// mergeStages merges the stages index by index, and the totals.
func mergeStages(rs []*result.Result) ([]result.Stage, result.Stage, error) {
	stages := make([]result.Stage, len(rs[0].Stages))
	for k := range stages {
		parts := make([]part, len(rs))
		for i, r := range rs {
			parts[i] = part{input: i, st: &r.Stages[k]}
		}
		st, err := mergeStage(fmt.Sprintf("stages[%d]", k), parts)
		if err != nil {
			return nil, result.Stage{}, err
		}
		stages[k] = st
	}
	parts := make([]part, len(rs))
	for i, r := range rs {
		parts[i] = part{input: i, st: &r.Total}
	}
	total, err := mergeStage("total", parts)
	return stages, total, err
}

// mergedList lists the shards merged, in shard order, or for inputs that
// are no shard, {index: position, count: 0}.
func mergedList(rs []*result.Result) []result.Shard {
	var out []result.Shard
	for i, r := range rs {
		ss := shardsOf(r)
		if ss == nil {
			ss = []result.Shard{{Index: i + 1, Count: 0}}
		}
		out = append(out, ss...)
	}
	slices.SortFunc(out, func(a, b result.Shard) int { return a.Index - b.Index })
	return out
}

// labels names each input in warnings: "shard 2/4" or "input 2".
func labels(rs []*result.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		if ss := shardsOf(r); ss != nil {
			out[i] = "shard " + shardList(ss)
		} else {
			out[i] = "input " + strconv.Itoa(i+1)
		}
	}
	return out
}

// mergeWarnings keeps the inputs' warnings, each once, prefixed with the
// inputs that reported it, followed by the merge's own notes.
func mergeWarnings(rs []*result.Result, labels, notes []string) []string {
	var order []string
	who := map[string][]string{}
	for i, r := range rs {
		for _, w := range r.Warnings {
			if _, seen := who[w]; !seen {
				order = append(order, w)
			}
			if !slices.Contains(who[w], labels[i]) {
				who[w] = append(who[w], labels[i])
			}
		}
	}
	out := make([]string, 0, len(order)+len(notes))
	for _, w := range order {
		prefix := strings.Join(who[w], ", ")
		if len(rs) > 1 && len(who[w]) == len(rs) {
			prefix = "all inputs"
		}
		out = append(out, prefix+": "+w)
	}
	for _, n := range notes {
		out = append(out, "merge: "+n)
	}
	return out
}

// mergeNotes are the merge's own warnings: what is not exact, what is
// missing, what differed without preventing the merge.
func mergeNotes(rs []*result.Result, out *result.Result) []string {
	var notes []string
	if ss := shardsOf(rs[0]); ss != nil {
		if n := ss[0].Count; len(out.Merged) < n {
			notes = append(notes, fmt.Sprintf(
				"only %d of %d shards merged (%s): the result covers that share of the plan", len(out.Merged), n, shardList(out.Merged)))
		}
	}
	busy := 0
	for _, r := range rs {
		if r.Total.InFlightMax > 0 {
			busy++
		}
	}
	if busy > 1 {
		notes = append(notes, fmt.Sprintf(
			"in_flight_max is the sum of the %d inputs' maxima, an upper bound of the merged peak (the inputs' peaks need not coincide)", busy))
	}
	if len(rs) > 1 && out.Arrival == "uniform" {
		notes = append(notes,
			"arrival_scv is pooled from each input's own gaps: the union of uniform streams is uniform only if they started in phase")
	}
	for i, r := range rs[1:] {
		i++
		if r.Tool.Version != rs[0].Tool.Version {
			notes = append(notes, fmt.Sprintf("input %d was recorded by version %s, input 1 by %s", i+1, r.Tool.Version, rs[0].Tool.Version))
		}
		if r.Seed != rs[0].Seed && r.Arrival == "poisson" {
			notes = append(notes, fmt.Sprintf("input %d used seed %d, input 1 seed %d", i+1, r.Seed, rs[0].Seed))
		}
		if r.TimeoutS != rs[0].TimeoutS {
			notes = append(notes, fmt.Sprintf("input %d used a timeout of %gs, input 1 %gs", i+1, r.TimeoutS, rs[0].TimeoutS))
		}
	}
	return notes
}

// mergeSamples keeps the first sample seen per status code and error class.
func mergeSamples(rs []*result.Result) *result.Samples {
	var out *result.Samples
	for _, r := range rs {
		if r.Samples == nil {
			continue
		}
		if out == nil {
			out = &result.Samples{}
		}
		for k, v := range r.Samples.Responses {
			if _, ok := out.Responses[k]; !ok {
				if out.Responses == nil {
					out.Responses = map[string]result.ResponseSample{}
				}
				out.Responses[k] = v
			}
		}
		for k, v := range r.Samples.Errors {
			if _, ok := out.Errors[k]; !ok {
				if out.Errors == nil {
					out.Errors = map[string]string{}
				}
				out.Errors[k] = v
			}
		}
	}
	return out
}

// mergeProtocols lists every HTTP version the parts saw, once, in order
// ("HTTP/1.1, HTTP/2.0"), as one result's protocol does.
func mergeProtocols(rs []*result.Result) string {
	var all []string
	for _, r := range rs {
		for _, p := range strings.Split(r.Protocol, ", ") {
			if p != "" && !slices.Contains(all, p) {
				all = append(all, p)
			}
		}
	}
	slices.Sort(all)
	return strings.Join(all, ", ")
}
