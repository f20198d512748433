package result

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadRedacted: files and standard input ("-", when given) are read in
// order and redacted; without stdin "-" is a file name; errors name the
// file or standard input.
func TestReadRedacted(t *testing.T) {
	const secret = "S3cretValue42"
	var doc bytes.Buffer
	if err := Write(&doc, leaky(secret, "g")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, doc.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, err := ReadRedacted(bytes.NewReader(doc.Bytes()), path, "-")
	if err != nil || len(rs) != 2 {
		t.Fatalf("%d results, %v", len(rs), err)
	}
	for i, r := range rs {
		var b bytes.Buffer
		if err := Write(&b, r); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), secret) {
			t.Errorf("result %d not redacted:\n%s", i, b.String())
		}
	}
	for _, tc := range []struct {
		stdin *strings.Reader
		paths []string
		want  string
	}{
		{strings.NewReader("{}"), []string{path, "-"}, `standard input: unsupported schema ""`},
		{nil, []string{"-"}, "open -: no such file or directory"},
		{nil, []string{path, filepath.Join(t.TempDir(), "none.json")}, "none.json: no such file or directory"},
	} {
		var err error
		if tc.stdin != nil {
			_, err = ReadRedacted(tc.stdin, tc.paths...)
		} else {
			_, err = ReadRedacted(nil, tc.paths...)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.paths, err, tc.want)
		}
	}
}

// TestWriteAsEncoder: Write, which streams the timeline a window at a
// time, writes byte for byte what one json.Encoder indenting by two
// spaces writes for the whole result: saved results of every kind (a
// step run, a mix, retries, a merge, real servers' shedding), and a
// timeline that is nil, empty, or holds text HTML escaping changes.
func TestWriteAsEncoder(t *testing.T) {
	paths := []string{"../../testdata/shedding/nginx-limit-req.json", "../../testdata/shedding/haproxy-queue-timeout.json",
		"../report/testdata/result-step.json", "../report/testdata/result-mix.json", "../report/testdata/result-retry.json",
		"../merge/testdata/merged.golden.json", "../../cmd/bploadgen/testdata/analyze_result.json"}
	var rs []*Result
	for _, p := range paths {
		r, err := ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Timeline) == 0 {
			t.Fatalf("%s: no timeline to stream", p)
		}
		rs = append(rs, r)
	}
	nilTL := *rs[0]
	nilTL.Timeline = nil
	emptyTL := *rs[0]
	emptyTL.Timeline = []Window{}
	html := *rs[0]
	html.Timeline = append([]Window(nil), rs[0].Timeline...)
	html.Timeline[0].Status = map[string]int64{"<a&b>": 1}
	rs = append(rs, &nilTL, &emptyTL, &html)
	for i, r := range rs {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		if err := Write(&got, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			n := 0
			for n < min(got.Len(), want.Len()) && got.Bytes()[n] == want.Bytes()[n] {
				n++
			}
			t.Errorf("result %d: differs from the encoder's at byte %d: got %q, want %q", i, n,
				got.Bytes()[max(n-40, 0):min(n+40, got.Len())], want.Bytes()[max(n-40, 0):min(n+40, want.Len())])
		}
	}
}

// BenchmarkWrite writes an hour-long run's result (a saved step run's
// timeline repeated to 3,600 windows) with Write and, for comparison,
// with one json.Encoder for the whole document: B/op against the
// document's size (SetBytes) shows what each holds in memory at once.
func BenchmarkWrite(b *testing.B) {
	r := longResult(b, 3600)
	whole := func(w io.Writer, r *Result) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	for _, c := range []struct {
		name  string
		write func(io.Writer, *Result) error
	}{{"streamed", Write}, {"whole", whole}} {
		b.Run(c.name, func(b *testing.B) {
			var n countWriter
			if err := c.write(&n, r); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.write(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// countWriter counts the bytes written to it.
type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// TestWriteNothingOnBadRow: a timeline row that JSON cannot hold (+Inf,
// as a merge of hostile inputs can sum) fails the write before anything
// reaches w, however many rows come first (more than the 64 KB buffer
// here), and the error names the row.
func TestWriteNothingOnBadRow(t *testing.T) {
	r := longResult(t, 400)
	r.Timeline[399].TS, r.Timeline[399].InFlightMean = 1234, math.Inf(1)
	var out bytes.Buffer
	err := Write(&out, r)
	if err == nil || !strings.Contains(err.Error(), "timeline row 400 (t = 1234 s): in_flight_mean is +Inf") {
		t.Fatalf("err = %v, want one naming timeline row 400 and in_flight_mean", err)
	}
	if out.Len() != 0 {
		t.Errorf("%d bytes written before the error", out.Len())
	}
}

// TestWriteNamesBadField: a number JSON cannot hold outside the timeline
// is named by its keys.
func TestWriteNamesBadField(t *testing.T) {
	r, err := ReadFile("../report/testdata/result-step.json")
	if err != nil {
		t.Fatal(err)
	}
	r.Stages[1].InFlightMean = math.NaN()
	var out bytes.Buffer
	if err := Write(&out, r); err == nil || !strings.Contains(err.Error(), "stages[1].in_flight_mean is NaN") || out.Len() != 0 {
		t.Errorf("err = %v (%d bytes written), want stages[1].in_flight_mean named and nothing written", err, out.Len())
	}
}

// TestReadTimeline: the timeline, read a row at a time, comes back as the
// whole-document decoder gave it: null and absent as nil, [] as empty,
// a key in another case matched as json matches it; what is not a
// timeline is an error naming the row.
func TestReadTimeline(t *testing.T) {
	head := `{"schema": "` + Schema + `", "seed": 3`
	for _, c := range []struct {
		doc     string
		rows    int // −1: nil
		wantErr string
	}{
		{head + `}`, -1, ""},
		{head + `, "timeline": null}`, -1, ""},
		{head + `, "timeline": []}`, 0, ""},
		{head + `, "timeline": [{"t_s": 0}, {"t_s": 1}]}`, 2, ""},
		{`{"timeline": [{"t_s": 0}], "schema": "` + Schema + `"}`, 1, ""},
		{head + `, "Timeline": [{"t_s": 0}]}`, 1, ""},
		{head + `, "timeline": {"t_s": 0}}`, 0, "timeline: { is not an array of windows"},
		{head + `, "timeline": [{"t_s": 0}, {"t_s": "x"}]}`, 0, "timeline: row 2:"},
		{`[1, 2]`, 0, "not an object"},
		{head + `, "timeline": [`, 0, "timeline:"},
	} {
		r, err := Read(strings.NewReader(c.doc))
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err = %v, want %q", c.doc, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.doc, err)
			continue
		}
		if r.Seed != 3 && strings.HasPrefix(c.doc, head) {
			t.Errorf("%s: seed %d, want 3", c.doc, r.Seed)
		}
		if got := len(r.Timeline); (c.rows < 0) != (r.Timeline == nil) || (c.rows >= 0 && got != c.rows) {
			t.Errorf("%s: timeline %v (nil %v), want %d rows", c.doc, got, r.Timeline == nil, c.rows)
		}
	}
}

// longResult is the saved step run with its timeline repeated to n rows.
func longResult(tb testing.TB, n int) *Result {
	tb.Helper()
	r, err := ReadFile("../report/testdata/result-step.json")
	if err != nil {
		tb.Fatal(err)
	}
	var tl []Window
	for len(tl) < n {
		tl = append(tl, r.Timeline...)
	}
	r.Timeline = tl[:n]
	return r
}
