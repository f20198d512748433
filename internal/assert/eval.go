package assert

import (
	"errors"
	"fmt"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Evaluate checks every assertion against r and returns one result.Assertion
// per evaluated part, in the order of exprs and, within one, of the parts.
// Verdicts without data fail with a Note (see the package doc). The error
// is for data that cannot be read (an undecodable histogram, a timeline
// window out of range) or an Expr that Parse would not have produced.
func Evaluate(r *result.Result, exprs []Expr) ([]result.Assertion, error) {
	if r == nil {
		return nil, errors.New("evaluate assertions: no result")
	}
	ev := evaluator{r: r, parts: map[Scope][]*part{}}
	var out []result.Assertion
	for _, e := range exprs {
		as, err := ev.evaluate(e)
		if err != nil {
			return nil, fmt.Errorf("assert %q: %w", e.text(), err)
		}
		out = append(out, as...)
	}
	return out, nil
}

// AllPass reports whether every evaluated part passed (true for none).
func AllPass(as []result.Assertion) bool {
	for _, a := range as {
		if !a.Pass {
			return false
		}
	}
	return true
}

// evaluator holds the parts of one Evaluate call, built once per scope so
// that several assertions over "each 10s" merge the timeline once.
type evaluator struct {
	r     *result.Result
	parts map[Scope][]*part
}

func (ev *evaluator) evaluate(e Expr) ([]result.Assertion, error) {
	m, err := parseMetric(e.Metric)
	if err != nil {
		return nil, err
	}
	if _, ok := ops[e.Op]; !ok || ops[e.Op] != e.Op {
		return nil, fmt.Errorf("unknown operator %q", e.Op)
	}
	base := result.Assertion{Expr: e.text(), Scope: e.Scope.String(), Metric: m.name, Op: e.Op, Value: e.Value, Request: e.Scope.Request}
	if note := ev.requestNote(e.Scope.Request); note != "" {
		base.Note = note
		return []result.Assertion{base}, nil
	}
	if e.Scope.Kind == Stage && e.Scope.Stage == 0 && e.Scope.StageName != "" {
		n, err := StageNumber(e.Scope.StageName, ev.r.StageNames())
		if err != nil {
			base.Note = err.Error()
			return []result.Assertion{base}, nil
		}
		e.Scope.Stage = n
		base.Scope = e.Scope.String()
	}
	if e.Scope.Kind == Stage && (e.Scope.Stage < 1 || e.Scope.Stage > len(ev.r.Stages)) {
		base.Scope = fmt.Sprintf("stage %d", e.Scope.Stage)
		base.Note = fmt.Sprintf("no stage %d in the result (it has %d)", e.Scope.Stage, len(ev.r.Stages))
		return []result.Assertion{base}, nil
	}
	parts, err := ev.partsFor(e.Scope)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 { // an "each" scope with nothing scheduled anywhere
		base.Note = noteNothingScheduled
		return []result.Assertion{base}, nil
	}
	out := make([]result.Assertion, 0, len(parts))
	for _, p := range parts {
		a, err := judge(e, m, p, base)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// judge is the verdict of e on one part.
func judge(e Expr, m metric, p *part, base result.Assertion) (result.Assertion, error) {
	v, note, err := p.observe(m)
	if err != nil {
		return base, fmt.Errorf("%s: %w", p.label, err)
	}
	a := base
	a.Scope = p.label
	if note != "" {
		a.Note = note
	} else {
		a.Observed = v
		a.Pass = Holds(e.Op, v, e.Value)
	}
	return a, nil
}

// Check is the verdict of e on one stage, or on a result's Total, whatever
// e's stage scope says (its request scope narrows it to that request's
// share): what a capacity search reads after each step it runs.
// The verdict's Scope is "stage N" for a stage (st.Index, 1-based) and "run"
// for a Total (Index 0). As in Evaluate, a gate without data fails with a
// Note; the error is for an undecodable histogram or an Expr that Parse
// would not have produced.
func (e Expr) Check(st *result.Stage) (result.Assertion, error) {
	m, err := parseMetric(e.Metric)
	if err != nil {
		return result.Assertion{}, err
	}
	if _, ok := ops[e.Op]; !ok || ops[e.Op] != e.Op {
		return result.Assertion{}, fmt.Errorf("unknown operator %q", e.Op)
	}
	label := "run"
	if st.Index > 0 {
		label = fmt.Sprintf("stage %d", st.Index)
	}
	base := result.Assertion{Expr: e.text(), Metric: m.name, Op: e.Op, Value: e.Value, Request: e.Scope.Request}
	p := stagePart(st, label)
	if e.Scope.Request != "" {
		if st.ByRequest == nil {
			base.Scope, base.Note = label, noteNoBreakdown
			return base, nil
		}
		p = (&evaluator{}).stagePart(st, e.Scope.Request, label)
	}
	a, err := judge(e, m, p, base)
	if err != nil {
		return a, fmt.Errorf("assert %q: %w", e.text(), err)
	}
	return a, nil
}

// partsFor returns the parts of scope s, building them on first use.
func (ev *evaluator) partsFor(s Scope) ([]*part, error) {
	if ps, ok := ev.parts[s]; ok {
		return ps, nil
	}
	var ps []*part
	switch s.Kind {
	case Run:
		ps = []*part{ev.stagePart(&ev.r.Total, s.Request, "run")}
	case Stage:
		ps = []*part{ev.stagePart(&ev.r.Stages[s.Stage-1], s.Request, s.String())}
	case EachStage:
		for i := range ev.r.Stages {
			if p := ev.stagePart(&ev.r.Stages[i], s.Request, fmt.Sprintf("stage %d", i+1)); p.scheduled > 0 {
				ps = append(ps, p)
			}
		}
	case EachWindow:
		if s.Request != "" {
			return nil, fmt.Errorf("a request scope has no windows")
		}
		if s.Window < time.Second || s.Window%time.Second != 0 {
			return nil, fmt.Errorf("window %s is not a positive whole number of seconds", s.Window)
		}
		var err error
		if ps, err = windowParts(ev.r.Timeline, int64(s.Window/time.Second)); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown scope kind %d", s.Kind)
	}
	ev.parts[s] = ps
	return ps, nil
}

// stagePart is the part of a stage, or of its requests of one name
// (nothing scheduled when the stage has none).
func (ev *evaluator) stagePart(st *result.Stage, request, label string) *part {
	if request == "" {
		return stagePart(st, label)
	}
	q := st.ByRequest[request]
	if q == nil {
		return &part{label: label}
	}
	rs := q.AsStage(st)
	return stagePart(&rs, label)
}

// requestNote says why a request scope cannot be judged at all: the
// result has no breakdown, or not that name; "" when it can.
func (ev *evaluator) requestNote(request string) string {
	switch {
	case request == "":
		return ""
	case !ev.r.HasByRequest():
		return noteNoBreakdown
	case ev.r.Total.ByRequest[request] == nil:
		return fmt.Sprintf("no request %s in the result (it has %s)", QuoteRequest(request), listNames(ev.r.Total.RequestNames()))
	}
	return ""
}

// Holds applies a gate's operator ("<", "<=", ">", ">="); obs and thr
// are in the same unit. An unknown operator never holds.
func Holds(op string, obs, thr float64) bool {
	switch op {
	case "<":
		return obs < thr
	case "<=":
		return obs <= thr
	case ">":
		return obs > thr
	case ">=":
		return obs >= thr
	}
	return false
}

// MetricValue reads metric (any spelling Parse accepts: "p99", "ratio(5xx)",
// "rps") from one stage, or from a result's Total, in the unit of the metric
// (seconds, a fraction, per second). ok is false when the stage has no data
// for it: nothing scheduled, no responses, or no histogram for them. The
// error is for an unknown metric or an undecodable histogram.
func MetricValue(st *result.Stage, metric string) (v float64, ok bool, err error) {
	m, err := parseMetric(metric)
	if err != nil {
		return 0, false, err
	}
	v, note, err := stagePart(st, "").observe(m)
	if err != nil || note != "" {
		return 0, false, err
	}
	return v, true, nil
}
