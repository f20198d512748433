package report

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/result/resulttest"
)

// libraryIntervals is the interval lines hdrhistogram-go's log writer
// makes of r's timeline (what WriteHLog wrote before it kept the
// result's encodings), one string per line.
func libraryIntervals(t *testing.T, r *result.Result) []string {
	t.Helper()
	var b bytes.Buffer
	lw := hdr.NewHistogramLogWriter(&b)
	startMs := r.StartedAt.UnixMilli()
	lw.SetBaseTime(startMs - startMs%1000)
	for _, win := range r.Timeline {
		t0 := startMs + int64(math.Round(win.TS*1000))
		d := win.DurationS
		if d <= 0 {
			d = 1
		}
		for _, part := range []struct{ tag, enc string }{
			{"", win.HDR.Latency}, {hlogTag2xx, win.HDR.Latency2xx}, {hlogTagService, win.HDR.ServiceTime},
		} {
			h, err := result.DecodePacked(part.enc)
			if err != nil {
				t.Fatal(err)
			}
			h.SetStartTimeMs(t0)
			h.SetEndTimeMs(t0 + int64(math.Round(d*1000)))
			h.SetTag(part.tag)
			if err := lw.OutputIntervalPackedHistogram(h); err != nil {
				t.Fatal(err)
			}
		}
	}
	lines := strings.SplitAfter(b.String(), "\n")
	return lines[:len(lines)-1] // after the last line break: ""
}

// intervals is the interval lines of a log WriteHLog wrote.
func intervals(t *testing.T, r *result.Result) []string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHLog(&b, r); err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(&b)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, `"StartTimestamp"`) {
			out = append(out, line+"\n")
		}
	}
	return out
}

// TestHLogMatchesLibrary: the intervals WriteHLog writes are the library
// writer's, byte for byte, for the report fixture and for results of runs
// against real servers (503s, so latency_2xx differs from latency; a
// Server-Timing service time; empty histograms).
func TestHLogMatchesLibrary(t *testing.T) {
	rs := []*result.Result{loadFixture(t)}
	paths, _ := filepath.Glob("../../testdata/shedding/*.json")
	if len(paths) == 0 {
		t.Fatal("no recorded results in testdata/shedding")
	}
	for _, p := range paths {
		r, err := result.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	for i, r := range rs {
		got, want := intervals(t, r), libraryIntervals(t, r)
		if len(got) != len(want) {
			t.Fatalf("result %d: %d interval lines, the library %d", i, len(got), len(want))
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("result %d, line %d:\n got %q\nwant %q", i, k, got[k], want[k])
			}
		}
	}
}

// TestHLogKeepsOtherEncodings: a result whose histogram is encoded in
// another valid way is logged with that encoding, and the log's reader
// gets the same counts; one whose base64 holds line breaks (skipped by
// the decoder, so the histogram decodes) is re-encoded, not split.
func TestHLogKeepsOtherEncodings(t *testing.T) {
	r := loadFixture(t)
	want := intervals(t, r)
	k := -1
	for i, w := range r.Timeline {
		if len(w.HDR.Latency) > 8 {
			k = i
			break
		}
	}
	if k < 0 {
		t.Fatal("the fixture has no window with responses")
	}
	other := resulttest.Rewrap(t, r.Timeline[k].HDR.Latency, zlib.BestSpeed, nil)
	if other == r.Timeline[k].HDR.Latency {
		t.Fatal("recompressing gave the same encoding")
	}
	broken := r.Timeline[k].HDR.Latency[:8] + "\r\n" + r.Timeline[k].HDR.Latency[8:]

	r.Timeline[k].HDR.Latency = other
	got := intervals(t, r)
	line := got[3*k]
	if !strings.HasSuffix(line, ","+other+"\n") {
		t.Errorf("window %d's line does not carry the result's encoding:\n%q", k, line)
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	readSame(t, got[3*k], want[3*k])

	r.Timeline[k].HDR.Latency = broken
	got = intervals(t, r)
	if len(got) != len(want) || got[3*k] != want[3*k] {
		t.Errorf("an encoding with a line break: line %q, want %q (%d lines, want %d)", got[3*k], want[3*k], len(got), len(want))
	}
}

// readSame reads two interval lines with the library's reader and
// requires the same histogram.
func readSame(t *testing.T, a, b string) {
	t.Helper()
	read := func(line string) *hdr.Histogram {
		h, err := hdr.NewHistogramLogReader(strings.NewReader(line)).NextIntervalHistogram()
		if err != nil || h == nil {
			t.Fatalf("reading %q: %v", line, err)
		}
		return h
	}
	ha, hb := read(a), read(b)
	if !ha.Equals(hb) {
		t.Errorf("the logged histograms differ: %d values, max %d against %d values, max %d",
			ha.TotalCount(), ha.Max(), hb.TotalCount(), hb.Max())
	}
}

// BenchmarkWriteHLog is the interval log of the report fixture; the
// figure per window is what an hour's result (3,600 windows) pays each.
func BenchmarkWriteHLog(b *testing.B) {
	r := loadFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteHLog(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(r.Timeline)), "ns/window")
}
