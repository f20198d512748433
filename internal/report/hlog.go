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
	iw := intervalWriter{w: bw, baseMs: baseMs, empty: map[string]string{}}
	for i, win := range r.Timeline {
		t0 := startMs + int64(math.Round(win.TS*1000))
		d := win.DurationS
		if d <= 0 {
			d = 1
		}
		t1 := t0 + int64(math.Round(d*1000))
		hdr, err := win.HDR.Load()
		if err != nil {
			return fmt.Errorf("render hlog: window %d (t = %g s): %w", i+1, win.TS, err)
		}
		for _, part := range []struct{ tag, enc string }{
			{"", hdr.Latency}, {hlogTag2xx, hdr.Latency2xx}, {hlogTagService, hdr.ServiceTime},
		} {
			if err := iw.interval(part.tag, part.enc, t0, t1); err != nil {
				return fmt.Errorf("render hlog: window %d (t = %g s): %w", i+1, win.TS, err)
			}
		}
	}
	return bw.Flush()
}

// intervalWriter writes interval lines as hdrhistogram-go's
// HistogramLogWriter.OutputIntervalPackedHistogram does (TestHLogMatchesLibrary),
// but with the result's own encoding of each histogram when it is plain
// base64 (bploadgen writes V2 compressed, which is the log's payload),
// decoded only for the interval's maximum and to refuse a bad one. The
// library re-encodes every interval, building a zlib writer (about 1 MB)
// and compiling a regular expression each time: the log of an hour's
// result (10,800 intervals) took 2.3 s and 59 MB.
type intervalWriter struct {
	w      io.Writer
	baseMs int64
	enc    result.Encoder
	dec    result.Decoder
	// empty holds the encodings of empty histograms by their input (the
	// library's: Encoder writes "" for them), one per distinct input.
	empty map[string]string
}

// interval writes the histogram encoded as enc (result's form), tagged
// tag, from t0 to t1 (ms since the epoch). An undecodable enc is
// ErrInvalidResult.
func (iw *intervalWriter) interval(tag, enc string, t0, t1 int64) error {
	h, err := iw.dec.Packed(enc)
	if err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalidResult)
	}
	payload := enc
	switch {
	case h.TotalCount() == 0:
		p, ok := iw.empty[enc]
		if !ok {
			b, err := h.Encode()
			if err != nil {
				return err
			}
			p = string(b)
			iw.empty[enc] = p
		}
		payload = p
	case !plainBase64(enc):
		// base64 decoding skips line breaks, which would split the line.
		if payload, err = iw.enc.Packed(h); err != nil {
			return err
		}
	}
	tagStr := ""
	if tag != "" {
		tagStr = "Tag=" + tag + ","
	}
	start := (float64(t0) - float64(iw.baseMs)) / 1000.0
	end := (float64(t1) - float64(iw.baseMs)) / 1000.0
	_, err = fmt.Fprintf(iw.w, "%s%f,%f,%f,%s\n", tagStr, start, end-start, float64(h.Max())/hdr.MsToNsRatio, payload)
	return err
}

// plainBase64 reports whether s holds only the standard base64 alphabet.
func plainBase64(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}
