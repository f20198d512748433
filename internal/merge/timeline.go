package merge

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// durationTolerance is how far two window lengths may differ (float noise
// of the engine's arithmetic) and still be the same length.
const durationTolerance = 1e-6

// windowRef is one input window placed on the merged timeline.
type windowRef struct {
	input int
	w     *result.Window
}

// timeline is the merged timeline and what the merge should tell about it.
type timeline struct {
	windows  []result.Window
	warnings []string
}

// mergeTimeline aligns the inputs' windows by wall-clock start (see the
// package doc) on a grid that starts at t0, the earliest start.
func mergeTimeline(rs []*result.Result, t0 time.Time) (timeline, error) {
	var tl timeline
	d, err := windowLength(rs)
	if err != nil || d == 0 {
		return tl, err
	}
	offsets, skew := startOffsets(rs, t0)
	concurrent := skew <= max(rs[0].DurationS, d)
	if !concurrent {
		clear(offsets)
		tl.warnings = append(tl.warnings, fmt.Sprintf(
			"inputs started %s apart, longer than the run: they did not run together, so timeline windows are aligned by time since each input's start",
			numfmt.GoDuration(skew)))
	} else if skew >= d/2 {
		tl.warnings = append(tl.warnings, fmt.Sprintf(
			"inputs started up to %s apart: each timeline window is added to the merged window nearest its wall-clock start, so the timeline shows the skew; stages are plan-relative and exact",
			numfmt.GoDuration(skew)))
	}

	slots := map[int][]windowRef{}
	last := -1
	for i, r := range rs {
		missing := false
		for k := range r.Timeline {
			w := &r.Timeline[k]
			slot := int(math.Floor((offsets[i]+w.TS)/d + 0.5))
			slots[slot] = append(slots[slot], windowRef{input: i, w: w})
			last = max(last, slot)
			missing = missing || (w.HDR.Latency == "" && !w.HDR.Spilled() && sum(w.Status) > 0)
		}
		if missing {
			tl.warnings = append(tl.warnings, fmt.Sprintf(
				"input %d has timeline windows without histograms: their merged percentiles leave those windows out", i+1))
		}
	}
	hs := [3]*histSum{newHistSum(), newHistSum(), newHistSum()}
	tl.windows = make([]result.Window, last+1)
	for k := range tl.windows {
		w, err := mergeWindow(float64(k)*d, d, slots[k], hs)
		if err != nil {
			return timeline{}, err
		}
		tl.windows[k] = w
	}
	return tl, nil
}

// windowLength returns the inputs' common window length (0 when no input
// has a timeline). Only an input's last window may be shorter.
func windowLength(rs []*result.Result) (float64, error) {
	ref, d := -1, 0.0
	for i, r := range rs {
		if len(r.Timeline) == 0 {
			continue
		}
		if ref < 0 {
			ref, d = i, r.Timeline[0].DurationS
			if d <= 0 {
				return 0, &InputError{Index: i, Other: -1, Field: "timeline[0].duration_s",
					Reason: fmt.Sprintf("%g is not a window length", d)}
			}
		}
		for k, w := range r.Timeline[:len(r.Timeline)-1] {
			if math.Abs(w.DurationS-d) > durationTolerance {
				return 0, &InputError{Index: i, Other: ref, Field: fmt.Sprintf("timeline[%d].duration_s", k),
					Got: show(w.DurationS), Want: show(d), Reason: "windows of different lengths cannot be aligned"}
			}
		}
	}
	return d, nil
}

// startOffsets returns each input's start in seconds after t0, and the
// largest of them.
func startOffsets(rs []*result.Result, t0 time.Time) ([]float64, float64) {
	offsets := make([]float64, len(rs))
	for i, r := range rs {
		offsets[i] = r.StartedAt.Sub(t0).Seconds()
	}
	return offsets, slices.Max(offsets)
}

// mergeWindow builds the merged window starting at ts from the input
// windows placed there; hs are reusable sums for its three histograms.
func mergeWindow(ts, d float64, refs []windowRef, hs [3]*histSum) (result.Window, error) {
	out := result.Window{TS: ts, DurationS: d, Status: map[string]int64{}, Errors: zeroErrors()}
	if len(refs) > 0 {
		out.DurationS = 0
	}
	for _, h := range hs {
		h.reset()
	}
	scrape := map[string][]float64{}
	for _, ref := range refs {
		w := ref.w
		out.DurationS = max(out.DurationS, w.DurationS)
		out.OfferedRPS += w.OfferedRPS
		out.Scheduled += w.Scheduled
		out.Sent += w.Sent
		out.NotSent += w.NotSent
		out.Completed += w.Completed
		addCounts(out.Status, w.Status)
		addCounts(out.Errors, w.Errors)
		out.InFlightMean += w.InFlightMean
		out.InFlightMax += w.InFlightMax
		addWindowAttempts(&out, w)
		for k, v := range w.Scrape {
			scrape[k] = append(scrape[k], v)
		}
		field := fmt.Sprintf("timeline[t_s=%g].hdr.", w.TS)
		hdr, err := w.HDR.Load()
		if err != nil {
			return result.Window{}, fmt.Errorf("input %d: %s: %w", ref.input+1, field, err)
		}
		for j, enc := range [3]string{hdr.Latency, hdr.Latency2xx, hdr.ServiceTime} {
			if err := hs[j].add(ref.input, field+windowHistNames[j], enc, -1); err != nil {
				return result.Window{}, err
			}
		}
	}
	if out.DurationS > 0 {
		out.AchievedRPS = float64(out.Sent) / out.DurationS
		out.ThroughputRPS = float64(count(out.Status, "2xx")) / out.DurationS
	}
	lat := hs[0].summary()
	out.P50S, out.P90S, out.P99S, out.MaxS, out.MeanS = lat.P50, lat.P90, lat.P99, lat.Max, lat.Mean
	if len(scrape) > 0 {
		out.Scrape = make(map[string]float64, len(scrape))
		for k, vs := range scrape {
			out.Scrape[k] = mean(vs)
		}
	}
	encs := [3]*string{&out.HDR.Latency, &out.HDR.Latency2xx, &out.HDR.ServiceTime}
	for j, h := range hs {
		enc, err := h.encode()
		if err != nil {
			return result.Window{}, fmt.Errorf("timeline[t_s=%g].hdr.%s: %w", ts, windowHistNames[j], err)
		}
		*encs[j] = enc
	}
	return out, nil
}

var windowHistNames = [3]string{"latency", "latency_2xx", "service_time"}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func mean(vs []float64) float64 {
	var s float64
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}
