package capacity

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/merge"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Segment is one run of a probe: a warm-up stage, then Batches measured
// stages of equal length, all at Rate, open loop.
type Segment struct {
	Probe   int     // the probe's number, 1-based
	Seq     int     // the segment's number in the whole search, 1-based: seeds its arrivals
	Rate    float64 // requests per second
	Warmup  time.Duration
	Measure time.Duration // the measured stages together
	Batches int
}

// Measured is what a segment recorded.
type Measured struct {
	// Batches are the measured stages in order (the warm-up excluded),
	// with times from the segment's start.
	Batches []result.Stage
	// Timeline is the run's 1-second windows (warm-up included); the
	// measured part starts at MeasureStartS.
	Timeline      []result.Window
	MeasureStartS float64
	Samples       *result.Samples
	Warnings      []string
	Interrupted   bool
	// GeneratorLimited: the generator, not the target, bounded the load
	// (requests not sent, or a send lag large enough to matter).
	GeneratorLimited bool
	// Target is the request as the result records it (secrets redacted).
	Target result.Target
	// Served2xx and ElapsedS: the 2xx responses of the whole segment,
	// warm-up included, and the seconds from its start to its last
	// response (the run's elapsed_s): the rate the target served at, even
	// where it answered long after the arrivals (a queue without bound).
	Served2xx int64
	ElapsedS  float64
}

// Prober carries out segments: internal/run against a real target
// (RunProber), or a fake in tests.
type Prober interface {
	Run(ctx context.Context, s Segment) (*Measured, error)
}

// Clock is the search's time: its budget and its pauses.
type Clock interface {
	Now() time.Time
	// Sleep pauses for d, or until ctx is done (then it returns ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

// The timing rules of a probe (queueing.md §8 protocol).
const (
	// BatchesPerSegment is how many measured stages a segment records:
	// the batches of the batch-means intervals.
	BatchesPerSegment = 20
	// MeasureMin is the shortest measured part of a segment.
	MeasureMin = 2 * time.Second
	// WarmupMin and WarmupMax bound each segment's warm-up: 10 mean
	// response times of the last probe (about 10 relaxation times of a
	// queue that is not near saturation), at least the first second of
	// connection setup and slow start.
	WarmupMin = time.Second
	WarmupMax = 5 * time.Second
	// MaxExtension and ExtensionShare: an uncertain probe is extended by
	// doubling its measured length, up to MaxExtension times its first
	// length or 1/ExtensionShare of the budget, whichever is longer (a
	// rate near its limit needs thousands of samples).
	MaxExtension   = 8
	ExtensionShare = 5
	// CooldownMax bounds the pause after a probe that did not pass.
	CooldownMax = 10 * time.Second
)

// probe is one rate being judged: its segments so far.
type probe struct {
	rate       float64
	proposedBy string
	start      time.Duration // since the search began
	warmup     time.Duration
	segments   int
	subs       []result.Stage // measured stages, re-based to consecutive times
	measured   float64        // seconds
	stage      result.Stage
	checks     []result.SLOCheck
	verdict    string
	note       string
	samples    *result.Samples
	timeline   []result.Window // measured windows of every segment
	genLimited bool            // some segment was generator-limited
	served2xx  int64           // the segments' Served2xx, summed
	elapsed    float64         // seconds: the segments' ElapsedS, summed
	// undelivered: the generator did not send at the probe's rate
	// (requests not sent, or the median sent a batch late).
	undelivered bool
}

// firstMeasure is a probe's first measured length at rate: long enough
// for twice the fewest samples any SLO needs to pass at all (an SLO far
// from its threshold is then decided at once), at least MeasureMin,
// rounded up to a tenth of a second.
func firstMeasure(slos []assert.Expr, rate float64) time.Duration {
	n := int64(0)
	for _, e := range slos {
		n = max(n, MinSamples(e))
	}
	d := time.Duration(math.Ceil(2*float64(n)/rate*10)) * 100 * time.Millisecond
	return max(MeasureMin, d)
}

// warmupAfter is the warm-up before a segment, given the mean response
// time (seconds) last seen: 10 of them, within [WarmupMin, WarmupMax].
func warmupAfter(meanLatency float64) time.Duration {
	d := time.Duration(10 * meanLatency * float64(time.Second))
	return min(WarmupMax, max(WarmupMin, d.Round(100*time.Millisecond)))
}

// cooldownAfter is the pause after a probe that did not pass: its longest
// response time (by then the target has worked off whatever queued behind
// it; the run itself waited for every response), or the request timeout
// when requests timed out (the target may still hold them), at most
// CooldownMax.
func cooldownAfter(st *result.Stage, timeout time.Duration) time.Duration {
	d := time.Duration(st.Latency.Max * float64(time.Second))
	if st.Errors[result.ErrTimeout] > 0 {
		d = max(d, timeout)
	}
	return min(CooldownMax, d)
}

// add appends a segment's measurement to the probe and re-judges it.
func (p *probe) add(m *Measured, slos []assert.Expr) error {
	if len(m.Batches) == 0 {
		return fmt.Errorf("probe at %g rps: the segment recorded no stages", p.rate)
	}
	off := p.measured - m.Batches[0].StartS
	for _, b := range m.Batches {
		b.StartS += off
		b.EndS += off
		p.subs = append(p.subs, b)
	}
	last := m.Batches[len(m.Batches)-1]
	p.measured = last.EndS + off
	p.segments++
	p.served2xx += m.Served2xx
	p.elapsed += max(0, m.ElapsedS)
	p.genLimited = p.genLimited || m.GeneratorLimited
	for _, w := range m.Timeline {
		if w.TS >= m.MeasureStartS-1e-9 {
			p.timeline = append(p.timeline, w)
		}
	}
	if p.samples == nil {
		p.samples = m.Samples
	}
	st, err := merge.Concat(p.subs)
	if err != nil {
		return fmt.Errorf("probe at %g rps: %w", p.rate, err)
	}
	p.stage = st
	p.checks, p.verdict, err = judge(slos, &p.stage, p.subs)
	if err != nil {
		return err
	}
	// A rate the generator did not deliver says nothing about the target:
	// a pass there is no pass (the search bisects below it instead). Not
	// delivered: requests not sent (the in-flight bound), or the median
	// request sent later than one batch is long (the generator is so far
	// behind that the batches are not the times they say).
	batch := p.measured / float64(len(p.subs))
	if p.undelivered = st.NotSent > 0 || st.SendLag.P50 > batch; p.undelivered && p.verdict == result.VerdictPass {
		p.verdict = result.VerdictUncertain
	}
	return nil
}

// record is the probe as the document shows it.
func (p *probe) record(index int) result.CapacityProbe {
	st := p.stage
	st.Index = index
	st.Name = fmt.Sprintf("probe %d @ %s rps", index, numfmt.Rate(p.rate))
	st.StartS = p.start.Seconds()
	st.EndS = st.StartS + p.measured
	return result.CapacityProbe{
		RateRPS: p.rate, DurationS: p.measured, Samples: st.Scheduled, Verdict: p.verdict,
		SLOChecks: p.checks, Stage: st, ProposedBy: p.proposedBy, Segments: p.segments,
		WarmupS: p.warmup.Seconds(), StartS: p.start.Seconds(), Note: p.fullNote(),
	}
}

// fullNote is the probe's note, with the generator's part when it fell
// behind: the verdict may then be the generator's, not the target's.
func (p *probe) fullNote() string {
	if p.undelivered {
		st := &p.stage
		return joinNotes(p.note, fmt.Sprintf("the generator did not deliver this rate (%s not sent, send lag p50 %s): whatever the SLOs say, it counts as not passing",
			numfmt.Int(st.NotSent), numfmt.Duration(st.SendLag.P50)))
	}
	if !p.genLimited {
		return p.note
	}
	const gen = "the generator fell behind its schedule here (see the warnings): the target saw late, bunched arrivals and the latencies include the generator's delay, so the verdict may be the generator's rather than the target's"
	if p.note == "" {
		return gen
	}
	return p.note + "; " + gen
}
