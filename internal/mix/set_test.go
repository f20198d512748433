package mix

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/redact"
)

// exampleSet builds the set of testdata/profiles/mix.yaml.
func exampleSet(t testing.TB, seed uint64) *Set {
	t.Helper()
	p, err := profile.Load("../../testdata/profiles/mix.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := LoadData(p.Data)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(Spec{Base: p.Request.URL, Common: p.Request.Headers, Requests: p.Requests, File: p.File, Data: data, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAppendHTTP1(t *testing.T) {
	s := exampleSet(t, 1)
	if got := strings.Join(s.Names(), "|"); got != "home|search|checkout|PUT /cart" {
		t.Fatalf("names = %q", got)
	}
	// Row 5 mod 3 = 2: cid, "a&b".
	tests := []struct {
		req  int
		want string
	}{
		{0, "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bploadgen/1\r\nAccept: application/json\r\n\r\n"},
		{1, "GET /search?q=a%26b HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bploadgen/1\r\nAccept: application/json\r\n\r\n"},
		{2, "POST /checkout HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bploadgen/1\r\nAccept: application/json\r\n" +
			"Content-Type: application/json\r\nX-Seq: 5\r\nContent-Length: 15\r\n\r\n{\"user\": \"cid\"}"},
	}
	for _, tt := range tests {
		got, ok := s.AppendHTTP1(tt.req, 5, []byte("prefix:"))
		if !ok || string(got) != "prefix:"+tt.want {
			t.Errorf("request %d:\n got %q\nwant %q", tt.req, got, "prefix:"+tt.want)
		}
	}
	got, _ := s.AppendHTTP1(3, 5, nil)
	head, body, _ := strings.Cut(string(got), "\r\n\r\n")
	if !strings.HasPrefix(head, "PUT /cart?id=") || !strings.HasSuffix(head, "\r\nContent-Length: "+strconv.Itoa(len(body))) ||
		!strings.HasPrefix(body, `{"cart": "`) || !strings.HasSuffix(body, `", "user": "cid"}`+"\n") {
		t.Errorf("rendered body request:\n%q", got)
	}
	again, _ := s.AppendHTTP1(3, 5, nil)
	if string(again) != string(got) {
		t.Error("the same arrival rendered twice differs")
	}
}

func TestParts(t *testing.T) {
	s := exampleSet(t, 1)
	var p Parts
	if !s.RenderParts(2, 7, &p) {
		t.Fatal("no row")
	}
	if p.Method != "POST" || string(p.URL) != "http://127.0.0.1:8080/checkout" || string(p.Body) != `{"user": "bob"}` || len(p.Headers) != 3 ||
		p.Headers[2].Name != "X-Seq" || string(p.Headers[2].Value) != "7" {
		t.Errorf("parts = %+v url %s body %s", p, p.URL, p.Body)
	}
}

// TestRenderAllocs: rendering an arrival with placeholders into a buffer
// with room allocates nothing, on both paths.
func TestRenderAllocs(t *testing.T) {
	s := exampleSet(t, 1)
	buf := make([]byte, 0, 4096)
	var p Parts
	s.RenderParts(3, 0, &p)
	seq := uint64(0)
	if n := testing.AllocsPerRun(1000, func() {
		seq++
		var req int
		req, buf, _ = s.Render(seq, buf[:0])
		s.RenderParts(req, seq, &p)
	}); n != 0 {
		t.Errorf("%v allocs per arrival, want 0", n)
	}
}

func BenchmarkRender(b *testing.B) {
	s := exampleSet(b, 1)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, buf, _ = s.Render(uint64(i), buf[:0])
	}
}

func TestDataOrders(t *testing.T) {
	tab, err := ParseData("d.csv", strings.NewReader("\ufeffa, b\n1,x\n2,y\n3,z\n"), profile.OrderSequential)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tab.Columns, ",") != "a,b" {
		t.Fatalf("columns %q", tab.Columns)
	}
	for seq := uint64(0); seq < 7; seq++ {
		if row, ok := tab.Row(1, seq); !ok || row[0] != string(rune('1'+seq%3)) {
			t.Errorf("sequential seq %d = %v", seq, row)
		}
	}
	tab.Order = profile.OrderUnique
	if row, ok := tab.Row(1, 2); !ok || row[0] != "3" {
		t.Errorf("unique row 2 = %v", row)
	}
	if _, ok := tab.Row(1, 3); ok {
		t.Error("unique past the rows")
	}
	if err := tab.CheckPlan(3); err != nil {
		t.Error(err)
	}
	if err := tab.CheckPlan(4); err == nil || !strings.Contains(err.Error(), "d.csv: order unique gives each arrival its own row, but the plan has 4 arrivals and the file 3 rows") {
		t.Errorf("CheckPlan(4) = %v", err)
	}
	tab.Order = profile.OrderRandom
	count := map[string]int{}
	for seq := uint64(0); seq < 3000; seq++ {
		row, _ := tab.Row(5, seq)
		count[row[0]]++
		if again, _ := tab.Row(5, seq); again[0] != row[0] {
			t.Fatal("random order is not a function of (seed, seq)")
		}
	}
	// 3000 draws of p = 1/3: 1000 ± 6·√(3000·(1/3)·(2/3)) = 1000 ± 155.
	for v, k := range count {
		if k < 845 || k > 1155 {
			t.Errorf("row %s drawn %d times of 3000", v, k)
		}
	}
	if _, ok := tab.Limit(); ok {
		t.Error("random order limited")
	}
}

func TestDataErrors(t *testing.T) {
	tests := []struct{ csv, want string }{
		{"", "d.csv: empty"},
		{"a,b\n", "d.csv: no rows after the header"},
		{"a,b\n1,2\n3\n", "d.csv:3: a different number of fields than the header row"},
		{"a,\n1,2\n", "d.csv:1: column 2 has no name"},
		{"seq\n1\n", `d.csv:1: column "seq" has the name of a built-in placeholder`},
		{"a,a\n1,2\n", `d.csv:1: column "a" appears twice`},
		{"a\n\"x\n", "d.csv:2: extraneous or missing \" in quoted-field"},
	}
	for _, tt := range tests {
		_, err := ParseData("d.csv", strings.NewReader(tt.csv), profile.OrderSequential)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseData(%q) = %v, want %q", tt.csv, err, tt.want)
		}
	}
}

func TestSecrets(t *testing.T) {
	p, _ := profile.Load("../../testdata/profiles/mix.yaml")
	tab, err := LoadData(p.Data)
	if err != nil {
		t.Fatal(err)
	}
	var s redact.Secrets
	tab.AddSecrets(&s)
	got := s.String("sent tok-bob-5678 for bob")
	if got != "sent REDACTED for bob" {
		t.Errorf("redacted = %q", got)
	}
}

func TestBuildErrors(t *testing.T) {
	tab, _ := ParseData("u.csv", strings.NewReader("user,note\nann,\"two\nlines\"\n"), profile.OrderSequential)
	tests := []struct {
		base string
		r    profile.Request
		want string
	}{
		{"http://h/", profile.Request{Name: "a", URL: "/{{nope}}", Line: 4}, `p.yaml:4: request 1 (a): url: placeholder {{nope}}: unknown placeholder "nope"`},
		{"", profile.Request{Name: "a", URL: "/x", Line: 4}, `p.yaml:4: request 1 (a): url: "/x" is relative, and there is no target URL`},
		{"http://h/", profile.Request{Name: "a", URL: "http://{{user}}/x"}, "p.yaml: request 1 (a): url: placeholders may not name the host"},
		{"http://h/", profile.Request{Name: "a", URL: "/a b"}, "p.yaml: request 1 (a): url: spaces and control characters must be percent-encoded"},
		{"http://h/", profile.Request{Name: "a", URL: "ftp://h/"}, `p.yaml: request 1 (a): url: "ftp://h/": the scheme must be http or https`},
		{"http://h/", profile.Request{Name: "a", URL: "/", Headers: []profile.Header{{Name: "X-Note", Value: "{{note}}"}}}, `p.yaml: request 1 (a): header X-Note: u.csv:2: column "note" holds a value a header cannot carry`},
		{"http://h/", profile.Request{Name: "a", URL: "/", Body: "{{seq"}, `p.yaml: request 1 (a): body: "{{seq" at byte 1 is not closed`},
		{"http://h/", profile.Request{Name: "a", URL: "/", BodyFile: "/nonexistent/b"}, "p.yaml: request 1 (a): body_file: open /nonexistent/b"},
	}
	for _, tt := range tests {
		_, err := Build(Spec{Base: tt.base, Requests: []profile.Request{tt.r}, File: "p.yaml", Data: tab})
		var me *Error
		if err == nil || !errors.As(err, &me) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Build(%+v) = %v\nwant prefix %q", tt.r, err, tt.want)
		}
	}
	if _, err := Build(Spec{Base: "http://h/"}); err == nil {
		t.Error("no requests accepted")
	}
}

func TestResolve(t *testing.T) {
	tests := []struct{ base, ref, origin, rest string }{
		{"http://h:1/api/v1", "/x?q", "http://h:1", "/x?q"},
		{"http://h:1/api/v1", "x", "http://h:1", "/api/x"},
		{"http://h:1/api/v1/", "x/{{seq}}", "http://h:1", "/api/v1/x/{{seq}}"},
		{"http://h:1/api?a=1", "?b=2", "http://h:1", "/api?b=2"},
		{"http://h:1/api?a=1", "", "http://h:1", "/api?a=1"},
		{"http://u:p@h/", "/x#frag", "http://u:p@h", "/x"},
		{"http://h/", "https://o:8443?q=1", "https://o:8443", "/?q=1"},
		{"", "HTTP://o/p", "HTTP://o", "/p"},
	}
	for _, tt := range tests {
		o, r, err := resolve(tt.base, tt.ref)
		if err != nil || o != tt.origin || r != tt.rest {
			t.Errorf("resolve(%q, %q) = %q %q %v, want %q %q", tt.base, tt.ref, o, r, err, tt.origin, tt.rest)
		}
	}
}

func TestLiteralAndHost(t *testing.T) {
	s, err := Build(Spec{Base: "http://u:p@h:8/", Literal: true, Requests: []profile.Request{
		{Method: "GET", URL: "/a?x={{y}}", Headers: []profile.Header{{Name: "Host", Value: "v.example"}, {Name: "Content-Length", Value: "9"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.AppendHTTP1(0, 0, nil)
	want := "GET /a?x={{y}} HTTP/1.1\r\nHost: v.example\r\nUser-Agent: bploadgen/1\r\nAuthorization: Basic dTpw\r\n\r\n"
	if string(got) != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if s.Names()[0] != "GET /a" || s.Origin(0) != "http://u:p@h:8" || !s.Idempotent(0) {
		t.Errorf("names %q origin %q", s.Names(), s.Origin(0))
	}
}

func TestNamesCapped(t *testing.T) {
	var reqs []profile.Request
	for i := range MaxNames + 5 {
		reqs = append(reqs, profile.Request{Method: "GET", URL: "/p" + itoa3(i)})
	}
	reqs = append(reqs, profile.Request{Method: "GET", URL: "/p000?again"}) // an earlier name
	s, err := Build(Spec{Base: "http://h/", Literal: true, Requests: reqs})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Names()); n != MaxNames+1 || s.Names()[MaxNames] != Other {
		t.Fatalf("%d names, last %q", n, s.Names()[n-1])
	}
	if s.NameOf(MaxNames-1) != MaxNames-1 || s.NameOf(MaxNames) != MaxNames || s.NameOf(MaxNames+4) != MaxNames || s.NameOf(MaxNames+5) != 0 {
		t.Error("name indexes")
	}
}

func itoa3(i int) string {
	return string([]byte{byte('0' + i/100), byte('0' + i/10%10), byte('0' + i%10)})
}

// BenchmarkRenderStatic is one request without placeholders, the baseline
// of BenchmarkRender (a 4-request mix with placeholders and data).
func BenchmarkRenderStatic(b *testing.B) {
	s, err := Build(Spec{Base: "http://127.0.0.1:8080/", Requests: []profile.Request{{Method: "GET", URL: "/"}}})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, buf, _ = s.Render(uint64(i), buf[:0])
	}
}

// TestAttempt: a retry renders its arrival's request with only
// {{attempt}} changed, on both paths (issue #17).
func TestAttempt(t *testing.T) {
	s, err := Build(Spec{Base: "http://h:8/", Seed: 3, Requests: []profile.Request{
		{Method: "POST", URL: "/a?s={{seq}}&t={{attempt}}", Headers: []profile.Header{{Name: "X-Try", Value: "{{attempt}}"}, {Name: "X-Id", Value: "{{uuid}}"}}, Body: "{{seq}}/{{attempt}}"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := s.AppendHTTP1(0, 9, nil)
	if zero, _ := s.AppendHTTP1Attempt(0, 9, 0, nil); string(zero) != string(first) {
		t.Fatalf("attempt 0 %q differs from the first attempt %q", zero, first)
	}
	retry, ok := s.AppendHTTP1Attempt(0, 9, 2, nil)
	want := strings.NewReplacer("t=0", "t=2", "X-Try: 0", "X-Try: 2", "9/0", "9/2").Replace(string(first))
	if !ok || string(retry) != want || want == string(first) {
		t.Errorf("attempt 2:\n got %q\nwant %q", retry, want)
	}
	var p Parts
	if !s.RenderPartsAttempt(0, 9, 2, &p) || string(p.URL) != "http://h:8/a?s=9&t=2" || string(p.Headers[0].Value) != "2" || string(p.Body) != "9/2" {
		t.Errorf("parts url %s headers %q body %s", p.URL, p.Headers, p.Body)
	}
}

// TestCommonHeaders: the target's headers (a profile's target.headers,
// --header) go with every request, their placeholders rendered even when
// the requests' own texts are literal (a targets file, a replay); a
// request's own header of the same name wins.
func TestCommonHeaders(t *testing.T) {
	common := []profile.Header{{Name: "X-Id", Value: "{{seq}}"}, {Name: "X-A", Value: "1"}, {Name: "X-Lit", Value: `\{{x}}`}}
	own := []profile.Header{{Name: "x-a", Value: "2"}, {Name: "X-Own", Value: "{{seq}}"}}
	s, err := Build(Spec{Base: "http://h/", Common: common, Literal: true, Requests: []profile.Request{
		{Method: "GET", URL: "/a", Headers: own}, {Method: "GET", URL: "/b"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		req  int
		want string
	}{
		{0, "GET /a HTTP/1.1\r\nHost: h\r\nUser-Agent: bploadgen/1\r\nX-Id: 7\r\nX-Lit: {{x}}\r\nx-a: 2\r\nX-Own: {{seq}}\r\n\r\n"},
		{1, "GET /b HTTP/1.1\r\nHost: h\r\nUser-Agent: bploadgen/1\r\nX-Id: 7\r\nX-A: 1\r\nX-Lit: {{x}}\r\n\r\n"},
	} {
		if got, _ := s.AppendHTTP1(tt.req, 7, nil); string(got) != tt.want {
			t.Errorf("request %d:\n got %q\nwant %q", tt.req, got, tt.want)
		}
	}
	_, err = Build(Spec{Base: "http://h/", Common: []profile.Header{{Name: "X-B", Value: "{{nope}}"}}, Literal: true, File: "t.txt",
		Requests: []profile.Request{{Method: "GET", URL: "/a", Line: 3}}})
	var me *Error
	if !errors.As(err, &me) || me.Request != 0 || !strings.HasPrefix(err.Error(), `header X-B: placeholder {{nope}}: unknown placeholder "nope"`) {
		t.Errorf("a bad common header: %v", err)
	}
}

// TestBodyBytes: a body's length as sent: `\{{` is the `{{` sent (a
// literal set sends `\{{` itself); a varying body counts as arrival 0's.
func TestBodyBytes(t *testing.T) {
	for _, tt := range []struct {
		body    string
		literal bool
		n       int
		static  bool
	}{
		{`a\{{b`, false, 4, true},
		{`a\{{b`, true, 5, true},
		{`{{seq}}xy`, false, 3, false}, // "0xy"
		{"", false, 0, true},
	} {
		s, err := Build(Spec{Base: "http://h/", Literal: tt.literal, Requests: []profile.Request{{Method: "POST", URL: "/", Body: tt.body}}})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := s.AppendHTTP1(0, 0, nil)
		_, sent, _ := strings.Cut(string(req), "\r\n\r\n")
		if n, static := s.BodyBytes(0); n != tt.n || static != tt.static || n != len(sent) {
			t.Errorf("body %q (literal %v): %d %v, want %d %v; sent %q", tt.body, tt.literal, n, static, tt.n, tt.static, sent)
		}
	}
}
