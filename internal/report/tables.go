package report

import (
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// The HTML report's tables, built as rows of cells for the "table" template.

func num(s string) cell  { return cell{Text: s, Class: "num"} }
func text(s string) cell { return cell{Text: s} }

func stageTable(r *result.Result) table {
	t := table{Head: []cell{text("stage"), num("offered"), num("scheduled"), num("achieved"), num("2xx/s"),
		num("2xx"), num(shedLabel(r.Total.Status)), num("other"), num("errors"), num("not sent"),
		num("p50"), num("p90"), num("p99"), num("p99.9"), num("max"), num("in flight")}}
	t.Head[1].Title = "planned mean rate, requests per second"
	t.Head[3].Title = "sent per second"
	t.Head[4].Title = "2xx responses per second"
	t.Head[15].Title = "time average / maximum of requests in flight"
	add := func(s *result.Stage, name string, cls string) {
		o := outcomeOf(s.Status, s.Errors, s.NotSent)
		pct := func(n int64) cell {
			c := num(numfmt.Percent(ratio(n, s.Scheduled)))
			c.Title = numfmt.Int(n) + " requests"
			return c
		}
		lat := func(v float64) cell {
			if s.Latency.Count == 0 {
				return num("–")
			}
			return num(numfmt.Duration(v))
		}
		t.Rows = append(t.Rows, row{Class: cls, Cells: []cell{
			{Text: name, Title: s.Name}, num(numfmt.Rate(s.OfferedRPS)), num(numfmt.Int(s.Scheduled)), num(numfmt.Rate(s.AchievedRPS)),
			num(numfmt.Rate(s.ThroughputRPS)), pct(o.OK2xx), pct(o.S503), pct(o.OtherStatus), pct(o.Errors), pct(o.NotSent),
			lat(s.Latency.P50), lat(s.Latency.P90), lat(s.Latency.P99), lat(s.Latency.P999), lat(s.Latency.Max),
			num(numfmt.Num(s.InFlightMean) + " / " + numfmt.Int(s.InFlightMax)),
		}})
	}
	for i := range r.Stages {
		add(&r.Stages[i], itoa(r.Stages[i].Index), "")
	}
	add(&r.Total, "run", "total")
	return t
}

// littleTable checks L = X·W per stage: the time-average number in flight
// against throughput times mean time in flight.
func littleTable(r *result.Result) (table, string) {
	t := table{Class: "compact", Head: []cell{text("stage"), num("L (in flight, time average)"), num("X·W (rate × mean time in flight)"), num("L / X·W"), text("check")}}
	note := "From the generator's own records; L/(X·W) should be 1 within about 1%. A larger gap is a bookkeeping problem (requests counted in flight but not in latency, or the other way round), unless requests in flight across the stage's ends explain it: those of an earlier stage still in flight in this one, or this one's still in flight at its end (the capacity analysis bounds how far they can move it)."
	byIndex := map[int]result.Little{}
	if r.Analysis != nil {
		for _, sa := range r.Analysis.Stages {
			byIndex[sa.Index] = sa.Little
		}
	}
	for i := range r.Stages {
		s := &r.Stages[i]
		l, ok := byIndex[s.Index]
		if !ok {
			l = result.Little{InFlightMean: s.InFlightMean}
			if s.LengthS() > 0 {
				l.RateXResponseMean = s.BusyS / s.LengthS()
			}
			if l.RateXResponseMean > 0 {
				l.Ratio = l.InFlightMean / l.RateXResponseMean
			}
		}
		check, cls := "–", ""
		if l.RateXResponseMean > 0 {
			switch d := l.Ratio - 1; {
			case d <= 0.01 && d >= -0.01:
				check, cls = "holds", "pass"
			case ok && !l.Flagged:
				// The analysis found the gap within what requests in
				// flight across the stage's ends can make (EdgeBound),
				// as analyze says: not a bookkeeping problem.
				check = "the stage's ends explain it (±" + numfmt.Percent(l.EdgeBound) + ")"
			case d <= 0.05 && d >= -0.05:
				check, cls = "within 5%", "warn"
			default:
				check, cls = "off by "+numfmt.Percent(d), "fail"
			}
		}
		t.Rows = append(t.Rows, row{Cells: []cell{text(itoa(s.Index)), num(numfmt.Num(l.InFlightMean)), num(numfmt.Num(l.RateXResponseMean)),
			num(numfmt.Num(l.Ratio)), {Text: check, Class: cls}}})
	}
	return t, note
}

// predictionView describes the model and compares it with the stages.
func predictionView(r *result.Result) (model, knee string, t *table) {
	an := r.Analysis
	if an == nil {
		return "", "", nil
	}
	m := an.Model
	model = m.Name
	if m.Workers > 0 {
		model += " · c = " + itoa(m.Workers) + " workers"
	}
	if m.Queue > 0 {
		model += " · " + itoa(m.Queue) + " waiting slots (K = " + itoa(m.Workers+m.Queue) + ")"
	}
	if m.ServiceMeanS > 0 {
		model += " · E[S] = " + numfmt.Duration(m.ServiceMeanS) + ", SCV " + numfmt.Num(m.ServiceSCV)
	}
	if m.Source != "" {
		model += " · parameters " + m.Source
	}
	if m.Notes != "" {
		model += " · " + m.Notes
	}
	if an.Knee != nil {
		knee = "Knee at stage " + itoa(an.Knee.Stage) + " (" + numfmt.Rate(an.Knee.OfferedRPS) + " rps offered): " + sentence(an.Knee.Reason)
	} else {
		knee = "No knee: the target kept up with every stage."
	}
	if an.CapacityRPS > 0 {
		knee += " Estimated capacity ≈ " + numfmt.Rate(an.CapacityRPS) + " rps."
	}
	t = &table{Head: []cell{text("stage"), num("offered"), num("arrival SCV"), num("ρ"), num("503 predicted"), num("503 observed"),
		num("mean predicted"), num("mean observed"), num("p99 predicted"), num("p99 observed"), num("p99 error")}}
	t.Head[2].Title = "squared coefficient of variation of the gaps between sends: 0 uniform, 1 Poisson"
	t.Head[3].Title = "utilisation: offered load / (workers × service rate)"
	t.Head[10].Title = "observed / predicted − 1"
	scv := map[int]string{}
	for _, s := range r.Stages {
		scv[s.Index] = numfmt.Num(s.ArrivalSCV)
	}
	for _, sa := range an.Stages {
		ca2, ok := scv[sa.Index]
		if !ok {
			ca2 = "–"
		}
		errCell := num("–")
		if sa.Predicted.ResponseP99S > 0 && sa.Observed.ResponseP99S > 0 {
			e := sa.Observed.ResponseP99S/sa.Predicted.ResponseP99S - 1
			sign := "+"
			if e < 0 {
				sign = ""
			}
			errCell = num(sign + numfmt.Percent(e))
			if e > 0.25 || e < -0.25 {
				errCell.Class += " warn"
			}
		}
		t.Rows = append(t.Rows, row{Cells: []cell{text(itoa(sa.Index)), num(numfmt.Rate(sa.OfferedRPS)), num(ca2), num(numfmt.Num(sa.Utilization)),
			num(numfmt.Percent(sa.Predicted.BlockRatio)), num(numfmt.Percent(sa.Observed.BlockRatio)),
			num(numfmt.Duration(sa.Predicted.ResponseMeanS)), num(numfmt.Duration(sa.Observed.ResponseMeanS)),
			num(numfmt.Duration(sa.Predicted.ResponseP99S)), num(numfmt.Duration(sa.Observed.ResponseP99S)), errCell}})
	}
	return model, knee, t
}

func assertionTable(r *result.Result) table {
	t := table{Head: []cell{text("verdict"), text("assertion"), text("scope"), num("observed"), num("threshold"), text("note")}}
	for _, a := range r.Assertions {
		v := cell{Text: "✔ PASS", Class: "pass"}
		if !a.Pass {
			v = cell{Text: "✘ FAIL", Class: "fail"}
		}
		t.Rows = append(t.Rows, row{Cells: []cell{v, {Text: a.Expr, Class: "code"}, text(a.Scope),
			num(observed(a)), num(threshold(a)), text(a.Note)}})
	}
	return t
}

// maxSampleBody bounds how much of a response body the report shows.
const maxSampleBody = 2000

func samplesView(r *result.Result) ([]sampleView, []kv) {
	if r.Samples == nil {
		return nil, nil
	}
	var out []sampleView
	for _, code := range sortedKeys(r.Samples.Responses) {
		s := r.Samples.Responses[code]
		sv := sampleView{Status: code, Body: truncate(s.Body, maxSampleBody)}
		for _, k := range sortedKeys(s.Headers) {
			sv.Headers = append(sv.Headers, kv{K: k, V: s.Headers[k]})
		}
		out = append(out, sv)
	}
	var errs []kv
	for _, k := range sortedKeys(r.Samples.Errors) {
		errs = append(errs, kv{K: k, V: truncate(r.Samples.Errors[k], maxSampleBody)})
	}
	return out, errs
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + " … (truncated)"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// sentence ends s with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}
