package compare

import (
	"fmt"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/result"
)

// part is one side of a compared scope: a stage (or the run's total) and
// the timeline windows whose start falls in it.
type part struct {
	st      *result.Stage
	windows []*result.Window
	hists   map[string]*hdr.Histogram
	// stages are the stages of a whole-run part of several stages: the
	// timeline is stationary only within a stage, so batch means are taken
	// per stage and combined.
	stages []*part
}

// side returns stage k (0-based) of r, or the whole run for k < 0.
func side(r *result.Result, k int) *part {
	p := &part{st: &r.Total, hists: map[string]*hdr.Histogram{}}
	if k >= 0 {
		p.st = &r.Stages[k]
	} else if len(r.Stages) > 1 {
		for j := range r.Stages {
			p.stages = append(p.stages, side(r, j))
		}
	}
	for i := range r.Timeline {
		w := &r.Timeline[i]
		if k < 0 || (w.TS >= p.st.StartS-1e-9 && w.TS < p.st.EndS-1e-9) {
			p.windows = append(p.windows, w)
		}
	}
	return p
}

// hist decodes one of the stage's histograms (nil when it has none).
func (p *part) hist(name string, enc string) (*hdr.Histogram, error) {
	if h, ok := p.hists[name]; ok {
		return h, nil
	}
	var h *hdr.Histogram
	if enc != "" {
		var err error
		if h, err = result.DecodeHist(enc); err != nil {
			return nil, fmt.Errorf("stage %d hdr.%s: %w", p.st.Index, name, err)
		}
	}
	p.hists[name] = h
	return h, nil
}

// rowMetric is one row of the table: how to read it and judge it.
type rowMetric struct {
	name   string // as assert.MetricValue reads it
	kind   assert.MetricKind
	hist   string  // time metrics: "latency", "latency_2xx" or "service_time"
	pct    float64 // time metrics: the percentile, 0 for the mean, 100 for max
	class  string  // ratios: the class for result.Count; "" for achieved
	higher bool    // higher is better
}

// rowMetrics are the key metrics, in table order.
var rowMetrics = [...]rowMetric{
	{name: "p50", kind: assert.TimeMetric, hist: "latency", pct: 50},
	{name: "p90", kind: assert.TimeMetric, hist: "latency", pct: 90},
	{name: "p99", kind: assert.TimeMetric, hist: "latency", pct: 99},
	{name: "max", kind: assert.TimeMetric, hist: "latency", pct: 100},
	{name: "mean", kind: assert.TimeMetric, hist: "latency", pct: 0},
	{name: "2xx.p99", kind: assert.TimeMetric, hist: "latency_2xx", pct: 99},
	{name: "service.p99", kind: assert.TimeMetric, hist: "service_time", pct: 99},
	{name: "rps", kind: assert.RateMetric, higher: true},
	{name: "achieved", kind: assert.RatioMetric, higher: true},
	{name: "ratio(503)", kind: assert.RatioMetric, class: "503"},
	{name: "ratio(5xx)", kind: assert.RatioMetric, class: "5xx"},
	{name: "ratio(errors)", kind: assert.RatioMetric, class: "errors"},
	{name: "ratio(not_sent)", kind: assert.RatioMetric, class: "not_sent"},
}

// section builds the rows of one stage or of the run.
func (o Options) section(name string, stage int, b, n *part) (Section, error) {
	sc := Section{Name: name, Stage: stage}
	for _, m := range rowMetrics {
		row, err := o.row(m, b, n)
		if err != nil {
			return Section{}, err
		}
		sc.Rows = append(sc.Rows, row)
	}
	return sc, nil
}

func (o Options) row(m rowMetric, b, n *part) (Row, error) {
	row := Row{Metric: m.name, Kind: m.kind.String(), HigherIsBetter: m.higher}
	vb, okb, err := assert.MetricValue(b.st, m.name)
	if err != nil {
		return row, fmt.Errorf("base: %w", err)
	}
	vn, okn, err := assert.MetricValue(n.st, m.name)
	if err != nil {
		return row, fmt.Errorf("new: %w", err)
	}
	if okb {
		row.Base = &vb
	}
	if okn {
		row.New = &vn
	}
	if !okb || !okn {
		row.Verdict = NoData
		return row, nil
	}
	d := vn - vb
	row.Delta = &d
	if vb != 0 {
		rel := d / vb
		row.Rel = &rel
	}
	if m.kind == assert.TimeMetric && m.hist != "latency_2xx" && m.pct != 100 && mixChanged(b, n) {
		row.Verdict, row.Note = NotJudged, MixNote
		return row, nil
	}
	noise, judged, err := o.noise(m, b, n, vb, vn)
	if err != nil {
		return row, err
	}
	row.Noise = noise
	switch {
	case !judged:
		row.Verdict = NotJudged
	case math.Abs(d) <= noise:
		row.Verdict = NoChange
	case (d > 0) != m.higher:
		row.Verdict = Regression
	default:
		row.Verdict = Improvement
	}
	return row, nil
}

// MixNote is the note of a latency row over all responses that was not
// judged because the share answered 2xx changed (mixChanged).
const MixNote = "the share answered 2xx changed: not judged (2xx.p99 is)"

// minMixChange is the least change of the share of responses answered
// 2xx, beyond its noise, from which the latencies of all responses are
// not compared.
const minMixChange = 0.01

// mixChanged reports whether the share of b's and n's responses answered
// 2xx differs by more than minMixChange and zNormal standard errors: the
// latencies of all responses then mix in a different share of non-2xx
// answers, and fast 503s or 502s make a target that sheds more look
// faster (nginx in front of php-fpm with 4 workers: p50 78µs, 60% of its
// answers fast 502s, against 12.1ms with 8 workers and 22%).
func mixChanged(b, n *part) bool {
	share := func(p *part) (float64, float64) {
		resp := p.st.Responses()
		if resp == 0 {
			return 0, 0
		}
		x, _ := result.Count(p.st.Status, nil, 0, "2xx")
		return float64(x) / float64(resp), float64(resp)
	}
	pb, nb := share(b)
	pn, nn := share(n)
	if nb == 0 || nn == 0 {
		return false
	}
	se := math.Sqrt(pb*(1-pb)/nb + pn*(1-pn)/nn)
	return math.Abs(pn-pb) > max(minMixChange, zNormal*se)
}

// noise returns the |difference| beyond which a change of m is significant
// (see the package doc), and false for a metric that is not judged.
func (o Options) noise(m rowMetric, b, n *part, vb, vn float64) (float64, bool, error) {
	switch m.kind {
	case assert.TimeMetric:
		return o.timeNoise(m, b, n, vb, vn)
	case assert.RateMetric:
		se := math.Hypot(rateSE(b), rateSE(n))
		return max(zNormal*se, o.RateBand*math.Abs(vb)), true, nil
	}
	num := func(p *part) int64 {
		if m.class == "" {
			return p.st.Sent
		}
		x, _ := result.Count(p.st.Status, p.st.Errors, p.st.NotSent, m.class)
		return x
	}
	se := binomialSE(num(b), b.st.Scheduled, num(n), n.st.Scheduled)
	wnum := func(w *result.Window) float64 {
		if m.class == "" {
			return float64(w.Sent)
		}
		x, _ := result.Count(w.Status, w.Errors, w.NotSent, m.class)
		return float64(x)
	}
	wden := func(w *result.Window) float64 { return float64(w.Scheduled) }
	weight := func(p *part) float64 { return float64(p.st.Scheduled) }
	sb, okb := b.batchSE(wnum, wden, weight)
	sn, okn := n.batchSE(wnum, wden, weight)
	if okb && okn {
		se = max(se, math.Hypot(sb, sn))
	}
	return zNormal * se, true, nil
}

// timeNoise: percentiles by disjoint order-statistic intervals, the mean by
// its standard error, both at least TimeBand of the base; max is not judged.
func (o Options) timeNoise(m rowMetric, b, n *part, vb, vn float64) (float64, bool, error) {
	if m.pct == 100 {
		return 0, false, nil
	}
	band := o.TimeBand * math.Abs(vb)
	hb, err := b.hist(m.hist, histOf(b.st, m.hist))
	if err != nil {
		return 0, false, err
	}
	hn, err := n.hist(m.hist, histOf(n.st, m.hist))
	if err != nil {
		return 0, false, err
	}
	if hb == nil || hn == nil || hb.TotalCount() == 0 || hn.TotalCount() == 0 {
		return band, true, nil // no histogram: the band alone
	}
	if m.pct == 0 {
		return max(band, zNormal*math.Hypot(meanSE(hb), meanSE(hn))), true, nil
	}
	lob, hib := quantileCI(hb, m.pct)
	lon, hin := quantileCI(hn, m.pct)
	// The difference is significant when the intervals are disjoint: for an
	// increase, lon > hib, i.e. vn − vb > (hib − vb) + (vn − lon).
	stat := (hib - vb) + (vn - lon)
	if vn < vb {
		stat = (vb - lob) + (hin - vn)
	}
	return max(band, stat), true, nil
}

func histOf(st *result.Stage, name string) string {
	switch name {
	case "latency_2xx":
		return st.HDR.Latency2xx
	case "service_time":
		return st.HDR.ServiceTime
	}
	return st.HDR.Latency
}

// rateSE is the standard error of a part's 2xx rate: batch means over its
// windows when there are enough, else the Poisson error √n / length.
func rateSE(p *part) float64 {
	n2xx := func(w *result.Window) float64 { x, _ := result.Count(w.Status, nil, 0, "2xx"); return float64(x) }
	dur := func(w *result.Window) float64 { return w.DurationS }
	if se, ok := p.batchSE(n2xx, dur, (*part).length); ok {
		return se
	}
	length := p.st.LengthS()
	if length <= 0 {
		return 0
	}
	x, _ := result.Count(p.st.Status, nil, 0, "2xx")
	return math.Sqrt(float64(x)) / length
}

func (p *part) length() float64 { return p.st.LengthS() }

// batchSE is the batch-means standard error of the ratio Σnum/Σden over the
// part's windows (see batchSE). For a run of several stages it combines the
// stages' errors, each stage weighted by weight(stage)/Σweight, since the
// run's ratio is that weighted mean of the stages' ratios.
func (p *part) batchSE(num, den func(*result.Window) float64, weight func(*part) float64) (float64, bool) {
	if len(p.stages) == 0 {
		return batchSE(p.windows, num, den)
	}
	var total, v float64
	for _, s := range p.stages {
		total += weight(s)
	}
	if total <= 0 {
		return 0, false
	}
	for _, s := range p.stages {
		se, ok := batchSE(s.windows, num, den)
		if !ok {
			return 0, false
		}
		w := weight(s) / total
		v += w * w * se * se
	}
	return math.Sqrt(v), true
}
