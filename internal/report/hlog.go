package report

import (
	"bufio"
	"fmt"
	"io"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// HdrHistogram interval log tags. The untagged histogram of each interval
// is the response time from the intended send time (what `report` calls
// latency); the tagged ones carry the 2xx-only latency and the service time
// (from the actual send).
const (
	hlogTag2xx     = "latency_2xx"
	hlogTagService = "service_time"
)

// WriteHLog writes the timeline as an HdrHistogram interval log (format
// 1.3): one interval per window, StartTime and BaseTime set to the run's
// start, timestamps relative to it. Values are nanoseconds: HdrHistogram's
// tools print milliseconds with an output value unit ratio of 1e6
// (HistogramLogProcessor -outputValueUnitRatio 1000000).
func WriteHLog(w io.Writer, r *result.Result) error {
	bw := bufio.NewWriter(w)
	lw := hdr.NewHistogramLogWriter(bw)
	startMs := r.StartedAt.UnixMilli()
	if r.StartedAt.IsZero() {
		startMs = 0
	}
	// BaseTime is written in whole seconds: use the same value as the base
	// of the interval timestamps so a reader recovers absolute times exactly.
	baseMs := startMs - startMs%1000
	lw.SetBaseTime(baseMs)
	steps := []func() error{
		lw.OutputLogFormatVersion,
		func() error {
			return lw.OutputComment("[Logged with " + toolName(r) + ": response time in ns from the intended send time; tags " +
				hlogTag2xx + ", " + hlogTagService + "]")
		},
		func() error { return lw.OutputStartTime(startMs) },
		func() error { return lw.OutputBaseTime(baseMs) },
		lw.OutputLegend,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	for i, win := range r.Timeline {
		t0 := startMs + int64(math.Round(win.TS*1000))
		d := win.DurationS
		if d <= 0 {
			d = 1
		}
		t1 := t0 + int64(math.Round(d*1000))
		for _, part := range []struct{ tag, enc string }{
			{"", win.HDR.Latency}, {hlogTag2xx, win.HDR.Latency2xx}, {hlogTagService, win.HDR.ServiceTime},
		} {
			h, err := result.DecodePacked(part.enc)
			if err != nil {
				return fmt.Errorf("render hlog: window %d (t = %g s): %w: %w", i+1, win.TS, err, ErrInvalidResult)
			}
			h.SetStartTimeMs(t0)
			h.SetEndTimeMs(t1)
			h.SetTag(part.tag)
			if err := lw.OutputIntervalPackedHistogram(h); err != nil {
				return fmt.Errorf("render hlog: window %d: %w", i+1, err)
			}
		}
	}
	return bw.Flush()
}
