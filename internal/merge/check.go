package merge

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bploadgen/bploadgen/internal/result"
)

// InputError says why an input cannot be merged with the others. Index and
// Other are 0-based positions in the slice given to Merge; Other is -1 when
// the input is wrong on its own.
type InputError struct {
	Index int
	Other int
	// Field is the JSON path of the field at fault ("plan.stages[2].rate").
	Field string
	// Got and Want are the values of Field in input Index and input Other,
	// for an error that is a difference between two inputs.
	Got, Want string
	// Reason explains an error that is not a plain difference, or the
	// consequence of one; "{other}" in it stands for input Other's name.
	Reason string
}

func (e *InputError) Error() string { return e.Format(nil) }

// Format renders the error as one line, naming input i by names[i] (a file
// name) when names covers it, and "input i+1" otherwise.
func (e *InputError) Format(names []string) string {
	name := func(i int) string {
		if i >= 0 && i < len(names) && names[i] != "" {
			return names[i]
		}
		return "input " + strconv.Itoa(i+1)
	}
	var b strings.Builder
	b.WriteString(name(e.Index))
	b.WriteString(": ")
	switch {
	case e.Got != "" || e.Want != "":
		fmt.Fprintf(&b, "%s is %s but %s in %s", e.Field, e.Got, e.Want, name(e.Other))
		if e.Reason != "" {
			b.WriteString(": ")
		}
	case e.Field != "":
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(strings.ReplaceAll(e.Reason, "{other}", name(e.Other)))
	return b.String()
}

// differ returns the error for a field that differs between input i and the
// reference input 0.
func differ(i int, field string, got, want any, reason string) *InputError {
	return &InputError{Index: i, Other: 0, Field: field, Got: show(got), Want: show(want), Reason: reason}
}

// stages is a number of stages, shown as "3 stages".
type stages int

func (n stages) String() string { return fmt.Sprintf("%d stages", int(n)) }

func show(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// checkInputs refuses inputs that do not describe parts of the same plan.
// Input 0 is the reference every other input is compared with.
func checkInputs(rs []*result.Result) error {
	ref := rs[0]
	if err := checkAlone(0, ref); err != nil {
		return err
	}
	for i, r := range rs[1:] {
		i++
		if err := checkAlone(i, r); err != nil {
			return err
		}
		if err := checkSame(i, r, ref); err != nil {
			return err
		}
	}
	if err := checkCounts(rs); err != nil {
		return err
	}
	return checkShards(rs)
}

// checkCounts refuses an input with a negative count, or one so large
// that the inputs' sum could pass int64: with n inputs each count may be
// at most MaxInt64/n, so no sum the merge forms wraps around.
func checkCounts(rs []*result.Result) error {
	limit := int64(math.MaxInt64) / int64(len(rs))
	for i, r := range rs {
		for _, part := range []struct {
			field string
			v     any
		}{
			{"stages", r.Stages}, {"total", &r.Total}, {"timeline", r.Timeline},
			{"connections", r.Connections}, {"retries", r.Retries}, {"tcp_retransmits", r.TCPRetransmits},
			{"max_in_flight", r.MaxInFlight},
		} {
			path, n, bad := result.CountOutside(part.v, 0, limit)
			if !bad {
				continue
			}
			reason := fmt.Sprintf("%d is more than %d inputs can add up to", n, len(rs))
			if n < 0 {
				reason = fmt.Sprintf("%d: a count cannot be negative", n)
			}
			if path != "" && path[0] != '[' {
				path = "." + path
			}
			return &InputError{Index: i, Other: -1, Field: part.field + path, Reason: reason}
		}
	}
	return nil
}

// checkAlone checks what an input must satisfy on its own.
func checkAlone(i int, r *result.Result) error {
	if r.Schema != result.Schema {
		return &InputError{Index: i, Other: -1, Field: "schema",
			Reason: fmt.Sprintf("%q is not %q: this build merges only %s results", r.Schema, result.Schema, result.Schema)}
	}
	if want := result.DefaultHDRConfig(); r.HDR != want {
		return &InputError{Index: i, Other: -1, Field: "hdr",
			Reason: fmt.Sprintf("histogram geometry %+v is not this build's %+v: cannot add histograms exactly", r.HDR, want)}
	}
	return nil
}

// checkSame compares input i with the reference input.
func checkSame(i int, r, ref *result.Result) error {
	const diffPlan = "results of different plans cannot be merged"
	const diffTarget = "results of different targets cannot be merged"
	switch {
	case r.Tool.Name != ref.Tool.Name:
		return differ(i, "tool.name", r.Tool.Name, ref.Tool.Name, "results of different tools cannot be merged")
	case r.Arrival != ref.Arrival:
		return differ(i, "arrival", r.Arrival, ref.Arrival, diffPlan)
	case r.DurationS != ref.DurationS:
		return differ(i, "duration_s", r.DurationS, ref.DurationS, diffPlan)
	case r.Plan.Profile != ref.Plan.Profile:
		return differ(i, "plan.profile", r.Plan.Profile, ref.Plan.Profile, diffPlan)
	case len(r.Plan.Stages) != len(ref.Plan.Stages):
		return differ(i, "plan.stages", stages(len(r.Plan.Stages)), stages(len(ref.Plan.Stages)), diffPlan)
	}
	for k := range r.Plan.Stages {
		if err := samePlanStage(i, k, r.Plan.Stages[k], ref.Plan.Stages[k]); err != nil {
			err.Reason = diffPlan
			return err
		}
	}
	switch {
	case r.Target.URL != ref.Target.URL:
		return differ(i, "target.url", r.Target.URL, ref.Target.URL, diffTarget)
	case r.Target.Method != ref.Target.Method:
		return differ(i, "target.method", r.Target.Method, ref.Target.Method, diffTarget)
	case r.Target.BodyBytes != ref.Target.BodyBytes:
		return differ(i, "target.body_bytes", r.Target.BodyBytes, ref.Target.BodyBytes, diffTarget)
	}
	if k, got, want, ok := firstHeaderDiff(r.Target.Headers, ref.Target.Headers); ok {
		return differ(i, "target.headers["+strconv.Quote(k)+"]", got, want, diffTarget)
	}
	if err := sameRetryPolicy(i, r, ref); err != nil {
		return err
	}
	if len(r.Stages) != len(ref.Stages) {
		return differ(i, "stages", stages(len(r.Stages)), stages(len(ref.Stages)),
			"the recorded stages do not match the plan's")
	}
	return nil
}

func samePlanStage(i, k int, s, ref result.PlanStage) *InputError {
	field := func(name string) string { return fmt.Sprintf("plan.stages[%d].%s", k, name) }
	switch {
	case s.Name != ref.Name:
		return differ(i, field("name"), s.Name, ref.Name, "")
	case s.StartS != ref.StartS:
		return differ(i, field("start_s"), s.StartS, ref.StartS, "")
	case s.DurationS != ref.DurationS:
		return differ(i, field("duration_s"), s.DurationS, ref.DurationS, "")
	case s.Rate != ref.Rate:
		return differ(i, field("rate"), s.Rate, ref.Rate, "")
	case s.To != ref.To:
		return differ(i, field("to"), s.To, ref.To, "")
	}
	return nil
}

// firstHeaderDiff returns the first header name (in sorted order) whose value
// differs between a and b; a missing header shows as "(none)".
func firstHeaderDiff(a, b map[string]string) (key, got, want string, ok bool) {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		va, ina := a[k]
		vb, inb := b[k]
		if va != vb || ina != inb {
			return k, valueOrNone(va, ina), valueOrNone(vb, inb), true
		}
	}
	return "", "", "", false
}

func valueOrNone(v string, ok bool) string {
	if !ok {
		return "(none)"
	}
	return v
}

// shardsOf returns the shards an input holds: its own shard, the shards it
// was merged from, or nil for a result that is not (made of) shards.
func shardsOf(r *result.Result) []result.Shard {
	if r.Shard != nil {
		return []result.Shard{*r.Shard}
	}
	if len(r.Merged) == 0 {
		return nil
	}
	for _, s := range r.Merged {
		if s.Count == 0 {
			return nil // a merge of whole runs, not of shards
		}
	}
	return r.Merged
}

// checkShards refuses a mix of shard and whole results, shards of different
// N, and a shard that appears twice.
func checkShards(rs []*result.Result) error {
	sharded := make([][]result.Shard, len(rs))
	for i, r := range rs {
		sharded[i] = shardsOf(r)
	}
	seen := map[int]int{} // shard index → input
	for i, ss := range sharded {
		if (len(ss) == 0) != (len(sharded[0]) == 0) {
			a, b := i, 0
			if len(ss) == 0 {
				a, b = 0, i
			}
			return &InputError{Index: a, Other: b, Reason: fmt.Sprintf(
				"is shard %s but {other} is a whole run: merge the shards of one run together first",
				shardList(sharded[a]))}
		}
		for _, s := range ss {
			if s.Count < 1 || s.Index < 1 || s.Index > s.Count {
				return &InputError{Index: i, Other: -1, Field: "shard",
					Reason: fmt.Sprintf("%d/%d is not a shard I/N with 1 ≤ I ≤ N", s.Index, s.Count)}
			}
			if want := sharded[0][0].Count; s.Count != want {
				return differ(i, "shard.count", s.Count, want, "shards of different splits cannot be merged")
			}
			if j, dup := seen[s.Index]; dup {
				return &InputError{Index: i, Other: j, Reason: fmt.Sprintf(
					"shard %d/%d is also in {other}: each shard may be merged once", s.Index, s.Count)}
			}
			seen[s.Index] = i
		}
	}
	return nil
}

func shardList(ss []result.Shard) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = fmt.Sprintf("%d/%d", s.Index, s.Count)
	}
	return strings.Join(parts, ",")
}
