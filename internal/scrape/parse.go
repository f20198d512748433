package scrape

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Bounds on one scrape, whatever the endpoint sends. The exposition
// parser builds every family it is given in memory (about 500 bytes per
// series), so lines are filtered by name while they stream in and only the
// chosen ones, within a budget, reach it.
const (
	// MaxBodyBytes is read of one response at most; the rest is left.
	MaxBodyBytes = 8 << 20
	// maxLineBytes: a longer line (huge labels) is skipped.
	maxLineBytes = 64 << 10
	// maxParsedBytes and maxParsedLines bound what reaches the parser:
	// ~5,000 series, a few MB of parser memory. The built-in target
	// sends about 60 lines.
	maxParsedBytes = 1 << 20
	maxParsedLines = 5000
	// maxKeyBytes: a series whose name with labels is longer is dropped.
	maxKeyBytes = 256
)

// parsed is one scrape's chosen series: values by series name, whether
// each is a counter, what was left out, and hints: labelled families the
// default left out that look like a queue or a concurrency (hintWords).
type parsed struct {
	values  map[string]float64
	counter map[string]bool
	dropped dropped
	hints   []string
}

// dropped counts what the bounds left out: the first four per scrape (the
// most in any one, once added up), the rest over the run.
type dropped struct {
	series    int // chosen series beyond MaxSeries
	labelled  int // labelled series the default left out
	longLines int // lines over maxLineBytes
	longKeys  int // series names (with labels) over maxKeyBytes
	budget    int // chosen lines beyond the parser's budget
	cut       int // responses cut at MaxBodyBytes
	later     int // new series after MaxSeries were taken
	samples   int // samples beyond MaxSamples
}

// add folds one scrape's counts into the run's.
func (d *dropped) add(o dropped) {
	d.series = max(d.series, o.series)
	d.labelled = max(d.labelled, o.labelled)
	d.longLines = max(d.longLines, o.longLines)
	d.longKeys = max(d.longKeys, o.longKeys)
	d.budget = max(d.budget, o.budget)
	d.cut += o.cut
	d.later += o.later
	d.samples += o.samples
}

// describe lists the nonzero counts ("" when nothing was dropped), with
// the hints after the labelled series.
func (d dropped) describe(hints []string) string {
	labelled := "labelled series per scrape (without --scrape-metric NAME only unlabelled ones are kept"
	if len(hints) > 0 {
		labelled += "; here perhaps " + strings.Join(hints, ", ")
	}
	labelled += ")"
	var parts []string
	for i, c := range []struct {
		n    int
		what string
	}{
		{d.labelled, labelled},
		{d.series, fmt.Sprintf("series per scrape beyond the first %d by name (choose with --scrape-metric NAME)", MaxSeries)},
		{d.longLines, fmt.Sprintf("lines per scrape over %d KiB", maxLineBytes>>10)},
		{d.longKeys, fmt.Sprintf("series per scrape with a name over %d bytes", maxKeyBytes)},
		{d.budget, fmt.Sprintf("lines per scrape beyond the parser's %d (or %d MiB)", maxParsedLines, maxParsedBytes>>20)},
		{d.cut, fmt.Sprintf("responses cut at %d MiB", MaxBodyBytes>>20)},
		{d.later, fmt.Sprintf("series first seen after %d were kept", MaxSeries)},
		{d.samples, fmt.Sprintf("samples beyond the first %d", MaxSamples)},
	} {
		if c.n > 0 {
			upTo := ""
			if i < 5 {
				upTo = "up to "
			}
			parts = append(parts, upTo+strconv.Itoa(c.n)+" "+c.what)
		}
	}
	return strings.Join(parts, ", ")
}

// Parse reads Prometheus text exposition and keeps the chosen series
// (keep empty: the built-in target's if any, else unlabelled ones), at
// most MaxSeries of them in name order. Gauges, counters and untyped
// metrics give one series each (labelled ones as name{a="b"}); histograms
// and summaries give name_sum and name_count. It reads at most
// MaxBodyBytes of r and holds at most a line and the parser's budget.
func Parse(r io.Reader, keep map[string]bool) (parsed, error) {
	f, err := filter(r, keep)
	if err != nil {
		return parsed{}, err
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(f.text))
	if err != nil {
		return parsed{}, fmt.Errorf("metrics: %w", err)
	}
	builtin := f.builtin
	out := parsed{values: map[string]float64{}, counter: map[string]bool{}, dropped: f.dropped, hints: f.hints}
	set := func(key string, v float64, counter bool) {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
		case len(key) > maxKeyBytes:
			out.dropped.longKeys++
		default:
			out.values[key], out.counter[key] = v, counter
		}
	}
	for name, f := range fams {
		if len(keep) > 0 && !keep[name] || len(keep) == 0 && builtin != strings.HasPrefix(name, BuiltinPrefix) {
			continue
		}
		for _, m := range f.GetMetric() {
			if len(keep) == 0 && !builtin && len(m.GetLabel()) > 0 {
				continue
			}
			ls := labels(m)
			switch f.GetType() {
			case dto.MetricType_GAUGE:
				set(name+ls, m.GetGauge().GetValue(), false)
			case dto.MetricType_COUNTER:
				set(name+ls, m.GetCounter().GetValue(), true)
			case dto.MetricType_UNTYPED:
				set(name+ls, m.GetUntyped().GetValue(), false)
			case dto.MetricType_HISTOGRAM:
				set(name+"_sum"+ls, m.GetHistogram().GetSampleSum(), true)
				set(name+"_count"+ls, float64(m.GetHistogram().GetSampleCount()), true)
			case dto.MetricType_SUMMARY:
				set(name+"_sum"+ls, m.GetSummary().GetSampleSum(), true)
				set(name+"_count"+ls, float64(m.GetSummary().GetSampleCount()), true)
			}
		}
	}
	if len(out.values) > MaxSeries {
		keys := make([]string, 0, len(out.values))
		for k := range out.values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys[MaxSeries:] {
			delete(out.values, k)
			delete(out.counter, k)
		}
		out.dropped.series += len(keys) - MaxSeries
	}
	other := out.dropped
	other.labelled = 0 // left out by choice, not by a bound: nothing kept is still an error
	if len(out.values) == 0 && other == (dropped{}) {
		what := "an unlabelled gauge or counter"
		if len(keep) > 0 {
			what = "a chosen metric"
		}
		return parsed{}, fmt.Errorf("metrics: not %s in %d lines%s", what, f.lines, f.dropped.hintNote(f.hints))
	}
	return out, nil
}

// filtered is what filter kept of an exposition.
type filtered struct {
	text    []byte // the chosen lines, each family's TYPE line first
	builtin bool   // a built-in target's family was among them
	lines   int    // lines read
	dropped dropped
	hints   []string // see parsed
}

// filter streams the exposition and keeps the lines of the chosen
// families within the parser's budget. It allocates nothing per line
// read: only what it keeps.
func filter(r io.Reader, keep map[string]bool) (filtered, error) {
	lr := &io.LimitedReader{R: r, N: MaxBodyBytes}
	br := bufio.NewReaderSize(lr, maxLineBytes)
	lf := lineFilter{keep: keep}
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			lf.dropped.longLines++
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			line = nil
		}
		if err != nil && err != io.EOF {
			return filtered{}, err
		}
		if err == io.EOF && len(line) > 0 && lr.N == 0 {
			lf.dropped.cut++ // a line cut by the limit is not a line
			line = nil
		}
		lf.line(bytes.TrimSpace(line))
		if err == io.EOF {
			if lr.N == 0 && lf.dropped.cut == 0 {
				if n, _ := r.Read(make([]byte, 1)); n > 0 {
					lf.dropped.cut++
				}
			}
			lf.text = lf.out.Bytes()
			if lf.builtin { // the built-in target's are kept instead
				lf.dropped.labelled, lf.hints = 0, nil
			}
			return lf.filtered, nil
		}
	}
}

// lineFilter is filter's state between lines.
type lineFilter struct {
	filtered
	keep     map[string]bool
	out      bytes.Buffer
	family   []byte // the family of the last # TYPE line
	typeLine []byte // that line
	typeSent bool   // it went out
	sent     int    // sample lines that went out
}

func (lf *lineFilter) line(s []byte) {
	if len(s) == 0 {
		return
	}
	lf.lines++
	if name, ok := typeOf(s); ok {
		lf.family = append(lf.family[:0], name...)
		lf.typeLine = append(lf.typeLine[:0], s...)
		lf.typeSent = false
		return
	}
	if s[0] == '#' {
		return
	}
	fam := seriesName(s)
	inFamily := false
	if len(lf.family) > 0 && bytes.HasPrefix(fam, lf.family) {
		switch string(fam[len(lf.family):]) {
		case "", "_bucket", "_sum", "_count":
			fam, inFamily = lf.family, true
		}
	}
	if !lf.chosen(fam, s) {
		return
	}
	lf.builtin = lf.builtin || bytes.HasPrefix(fam, []byte(BuiltinPrefix))
	if lf.sent >= maxParsedLines || lf.out.Len()+len(s)+len(lf.typeLine)+2 > maxParsedBytes {
		lf.dropped.budget++
		return
	}
	if inFamily && !lf.typeSent {
		lf.out.Write(lf.typeLine)
		lf.out.WriteByte('\n')
		lf.typeSent = true
	}
	lf.out.Write(s)
	lf.out.WriteByte('\n')
	lf.sent++
}

// chosen says whether a sample line of family fam may be kept: a chosen
// metric; by default the built-in target's, else unlabelled lines (until
// a built-in family shows up).
func (lf *lineFilter) chosen(fam, line []byte) bool {
	if len(lf.keep) > 0 {
		return lf.keep[string(fam)]
	}
	if bytes.HasPrefix(fam, []byte(BuiltinPrefix)) {
		return true
	}
	if lf.builtin {
		return false
	}
	if bytes.IndexByte(line, '{') >= 0 {
		lf.dropped.labelled++
		lf.hint(fam)
		return false
	}
	return true
}

// typeOf reads "# TYPE name kind".
func typeOf(s []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(s, []byte("# TYPE "))
	if !ok {
		return nil, false
	}
	rest = bytes.TrimSpace(rest)
	if q, ok := quoted(rest); ok {
		return q, true
	}
	name, _, _ := bytes.Cut(rest, []byte(" "))
	return name, true
}

// seriesName is a sample line's metric name (quoted names included).
func seriesName(s []byte) []byte {
	if len(s) > 1 && s[0] == '{' {
		if q, ok := quoted(s[1:]); ok {
			return q
		}
	}
	if i := bytes.IndexAny(s, "{ \t"); i >= 0 {
		return s[:i]
	}
	return s
}

// quoted returns the inside of a leading "..." without escapes (a name
// with escapes is compared as written, so it is not chosen by name).
func quoted(s []byte) ([]byte, bool) {
	if len(s) < 2 || s[0] != '"' {
		return nil, false
	}
	i := bytes.IndexByte(s[1:], '"')
	if i < 0 {
		return nil, false
	}
	return s[1 : 1+i], true
}

func labels(m *dto.Metric) string {
	ls := m.GetLabel()
	if len(ls) == 0 {
		return ""
	}
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = fmt.Sprintf("%s=%q", l.GetName(), l.GetValue())
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}
