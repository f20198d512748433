package replay

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestParseJSON(t *testing.T) {
	l, err := ParseJSON("log.jsonl", open(t, "log.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// 1733140800 is 2024-12-02T12:00:00Z. In time order (stable): line 1
	// at +1 ns, line 4 and 6 at +0.25 s, line 2 at +0.5 s, line 5 at +1 s.
	ms := time.Millisecond
	wantT := []time.Duration{0, 250*ms - 1, 250*ms - 1, 500*ms - 1, time.Second - 1}
	wantI := []uint32{0, 2, 2, 1, 0}
	if len(l.Times) != len(wantT) {
		t.Fatalf("times %v", l.Times)
	}
	for i := range wantT {
		if l.Times[i] != wantT[i] || l.Index[i] != wantI[i] {
			t.Errorf("arrival %d: %s request %d, want %s request %d", i, l.Times[i], l.Index[i], wantT[i], wantI[i])
		}
	}
	if len(l.Requests) != 3 {
		t.Fatalf("requests %+v", l.Requests)
	}
	r := l.Requests[1]
	if r.Name != "GET /search" || r.Method != "GET" || r.Line != 2 || len(r.Headers) != 2 || r.Headers[0].Name != "Accept" {
		t.Errorf("request 2 = %+v", r)
	}
	if c := l.Requests[2]; c.Name != "POST /checkout" || c.Body != `{"n": 1}` || c.URL != "http://127.0.0.1:8080/checkout" {
		t.Errorf("request 3 = %+v", c)
	}
	if err := l.Scale(2); err != nil {
		t.Fatal(err)
	}
	if l.Times[4] != 500*ms || l.Times[3] != 250*ms { // (t − t0)/X, rounded to the ns
		t.Errorf("scaled %v", l.Times)
	}
	s, err := l.Schedule(300*ms, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	// Windows of 300 ms: [0,300) holds 4 arrivals (0, 125, 125, 250 ms),
	// [300,600) one (500 ms).
	if s.Stages() != 2 {
		t.Fatalf("%d stages", s.Stages())
	}
	if r, _ := s.RateAt(0); r < 13.33 || r > 13.34 {
		t.Errorf("stage 1 rate %g, want 4/0.3", r)
	}
}

func TestParseCombined(t *testing.T) {
	l, err := ParseCombined("access.log", open(t, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	// Second 0 has 3 requests: at 0, 1/3, 2/3 s; 13:00:02+01:00 is 2 s later.
	want := []time.Duration{0, time.Second / 3, 2 * time.Second / 3, 2 * time.Second}
	if len(l.Times) != 4 || l.Skipped != 2 {
		t.Fatalf("times %v skipped %d", l.Times, l.Skipped)
	}
	for i, w := range want {
		if l.Times[i] != w {
			t.Errorf("arrival %d at %s, want %s", i, l.Times[i], w)
		}
	}
	if len(l.Requests) != 3 || l.Index[2] != 0 || l.Requests[1].URL != `/form?x=\"1\"` || l.Requests[1].Name != "POST /form" {
		t.Errorf("requests %+v index %v", l.Requests, l.Index)
	}
}

func TestParseErrors(t *testing.T) {
	jsonTests := []struct{ text, want string }{
		{"", "l: no requests"},
		{"{\n", "l:1: not a JSON object"},
		{`{"url": "/"}`, "l:1: time: missing"},
		{`{"time": -1, "url": "/"}`, `l:1: time: "-1" is not Unix seconds`},
		{`{"time": "yesterday", "url": "/"}`, `l:1: time: "yesterday" is not RFC 3339`},
		{`{"time": 1}`, "l:1: no url"},
		{`{"time": 1, "url": "/a b"}`, `l:1: url "/a%20b": want an absolute URL or a path`},
		{`{"time": 1, "url": "ftp://h/"}`, `l:1: invalid URL "ftp://h/"`},
		{`{"time": 1, "url": "/", "method": "G T"}`, `l:1: invalid HTTP method "G T"`},
		{`{"time": 1, "url": "/", "headers": {"Authorization": "x\ny"}}`, `l:1: header "Authorization": invalid value`},
		{`{"time": 1, "url": "/"}` + "\n" + `{"time": 999999, "url": "/"}`, "l: the log spans more than 24h0m0s"},
	}
	for _, tt := range jsonTests {
		_, err := ParseJSON("l", strings.NewReader(tt.text))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseJSON(%q) = %v\nwant prefix %q", tt.text, err, tt.want)
		}
	}
	combinedTests := []struct{ text, want string }{
		{"junk\n", "l:1: no [time stamp]"},
		{"h - - [02/Dec/2024:12:00:00] \"GET / HTTP/1.1\"\n", `l:1: time stamp "02/Dec/2024:12:00:00": want`},
		{"h - - [02/Dec/2024:12:00:00 +0000] 200\n", `l:1: no "request line"`},
		{"h - - [02/Dec/2024:12:00:00 +0000] \"GET /\n", "l:1: the request line's quote is not closed"},
		{"h - - [02/Dec/2024:12:00:00 +0000] \"-\" 400\n", "l: no requests"},
	}
	for _, tt := range combinedTests {
		_, err := ParseCombined("l", strings.NewReader(tt.text))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseCombined(%q) = %v\nwant prefix %q", tt.text, err, tt.want)
		}
	}
	l, _ := ParseJSON("l", strings.NewReader(`{"time": 0, "url": "/"}`+"\n"+`{"time": 3600, "url": "/"}`))
	if err := l.Scale(0.01); err == nil || !strings.Contains(err.Error(), "more than 24h") {
		t.Errorf("Scale(0.01) = %v", err)
	}
	if err := l.Scale(0); err == nil {
		t.Error("Scale(0) accepted")
	}
}

func TestUnixSeconds(t *testing.T) {
	for _, tt := range []struct {
		s  string
		ns int64
	}{{"0", 0}, {"1.5", 1_500_000_000}, {"1733140800.123456789", 1733140800_123456789}, {"2.0000000019", 2_000_000_001}, {"1e3", 1e12}, {"7.", 7e9}} {
		if got, err := unixSeconds(tt.s); err != nil || got != tt.ns {
			t.Errorf("unixSeconds(%q) = %d %v, want %d", tt.s, got, err, tt.ns)
		}
	}
	for _, s := range []string{"-1", "+1", "1.x", "1e99", "99999999999999999999"} {
		if _, err := unixSeconds(s); err == nil {
			t.Errorf("unixSeconds(%q) accepted", s)
		}
	}
}

// FuzzParseJSON and FuzzParseCombined: any input parses or errors naming
// the file, never panics; a parsed log has its times in order from 0 and
// an index into its requests for each.
func FuzzParseJSON(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "log.jsonl"))
	f.Add(b)
	f.Add([]byte(`{"time": "2024-12-02T12:00:00Z", "url": "/"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseJSON("l", strings.NewReader(string(data)))
		checkLog(t, l, err)
	})
}

func FuzzParseCombined(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "access.log"))
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseCombined("l", strings.NewReader(string(data)))
		checkLog(t, l, err)
	})
}

func checkLog(t *testing.T, l *Log, err error) {
	if err != nil {
		if !strings.HasPrefix(err.Error(), "l") {
			t.Fatalf("error without the file: %v", err)
		}
		return
	}
	if len(l.Times) == 0 || l.Times[0] != 0 || len(l.Index) != len(l.Times) {
		t.Fatalf("times %v index %v", l.Times, l.Index)
	}
	for i := range l.Times {
		if (i > 0 && l.Times[i] < l.Times[i-1]) || int(l.Index[i]) >= len(l.Requests) {
			t.Fatalf("arrival %d: %s index %d", i, l.Times[i], l.Index[i])
		}
	}
}
