package profile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestMixExample(t *testing.T) {
	p, err := Load("../../testdata/profiles/mix.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "testdata", "profiles")
	want := []Request{
		{Name: "home", Weight: 7, Method: "GET", URL: "/", Line: 6},
		{Name: "search", Weight: 2, Method: "GET", URL: "/search?q={{term}}", Line: 9},
		{Name: "checkout", Weight: 1, Method: "POST", URL: "/checkout", Body: `{"user": "{{user}}"}`, Line: 12,
			Headers: []Header{{"Content-Type", "application/json"}, {"X-Seq", "{{seq}}"}}},
		{Name: "PUT /cart", Weight: 0.5, Method: "PUT", URL: "/cart?id={{rand_int 1 1000}}", BodyFile: filepath.Join(dir, "mix-body.json"), Line: 20},
	}
	if len(p.Requests) != len(want) {
		t.Fatalf("requests = %+v", p.Requests)
	}
	for i, w := range want {
		g := p.Requests[i]
		if g.Name != w.Name || g.Weight != w.Weight || g.Method != w.Method || g.URL != w.URL || g.Body != w.Body ||
			g.BodyFile != w.BodyFile || g.Line != w.Line || len(g.Headers) != len(w.Headers) {
			t.Errorf("request %d = %+v\nwant %+v", i+1, g, w)
			continue
		}
		for j := range w.Headers {
			if g.Headers[j] != w.Headers[j] {
				t.Errorf("request %d header %d = %+v", i+1, j, g.Headers[j])
			}
		}
	}
	if p.Data == nil || p.Data.File != filepath.Join(dir, "users.csv") || p.Data.Order != OrderSequential || p.Data.Line != 24 {
		t.Errorf("data = %+v", p.Data)
	}
}

func TestDefaultName(t *testing.T) {
	for _, tt := range []struct{ method, url, want string }{
		{"GET", "/search?q=1", "GET /search"},
		{"", "", "GET /"},
		{"POST", "http://h:1/a/b?x#f", "POST /a/b"},
		{"GET", "https://h", "GET /"},
		{"GET", "rel/x#frag", "GET rel/x"},
		{"GET", "/a:b//c", "GET /a:b//c"},
	} {
		if got := DefaultName(tt.method, tt.url); got != tt.want {
			t.Errorf("DefaultName(%q, %q) = %q, want %q", tt.method, tt.url, got, tt.want)
		}
	}
}

func TestMixErrors(t *testing.T) {
	const head = "target: {url: http://127.0.0.1/}\n"
	tests := []struct{ name, yaml, want string }{
		{"not a list", head + "requests: {url: /}\n", "p.yaml:2: requests must be a non-empty list"},
		{"empty", head + "requests: []\n", "p.yaml:2: requests must be a non-empty list"},
		{"no url", head + "requests:\n  - name: a\n", "p.yaml:3: request 1: url is required"},
		{"unknown key", head + "requests:\n  - {url: /, wieght: 2}\n", `p.yaml:3: unknown key "wieght" in request 1`},
		{"zero weight", head + "requests:\n  - {url: /, weight: 0}\n", "p.yaml:3: request 1: weight must be > 0"},
		{"weight text", head + "requests:\n  - {url: /, weight: lots}\n", "p.yaml:3: request 1: weight must be a number"},
		{"dup name", head + "requests:\n  - {name: a, url: /}\n  - {name: a, url: /b}\n", `p.yaml:4: request 2: the name "a" is taken by the request on line 3`},
		{"blank name", head + "requests:\n  - {name: ' a', url: /}\n", "p.yaml:3: request 1: name must be 1 to 200 bytes"},
		{"bad method", head + "requests:\n  - {method: 'G T', url: /}\n", `p.yaml:3: request 1: invalid HTTP method "G T"`},
		{"bad abs url", head + "requests:\n  - {url: 'ftp://x/'}\n", `p.yaml:3: request 1: invalid URL "ftp://x/"`},
		{"scheme-less", head + "requests:\n  - {url: '//h/x'}\n", `p.yaml:3: request 1: url "//h/x": give a scheme`},
		{"two bodies", head + "requests:\n  - {url: /, body: a, body_file: b}\n", "p.yaml:3: request 1: both body and body_file"},
		{"bad header", head + "requests:\n  - {url: /, headers: {'a b': c}}\n", `p.yaml:3: header "a b": invalid name`},
		{"target body", "target: {url: http://h/, body: x}\nrequests:\n  - {url: /}\n", "p.yaml:2: requests: the target's method and body would apply to no request"},
		{"data no file", head + "data: {order: random}\n", "p.yaml:2: data: file is required"},
		{"data order", head + "data: {file: a.csv, order: shuffled}\n", `p.yaml:2: data: order must be sequential, random or unique, not "shuffled"`},
		{"data key", head + "data: {file: a.csv, sep: ';'}\n", `p.yaml:2: unknown key "sep" in data`},
		{"too many", head + "requests:\n" + strings.Repeat("  - {url: /}\n", MaxRequests+1), "p.yaml:3: requests: 101 requests, at most 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tt.yaml))
			var pe *Error
			if err == nil || !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n  %v\nwant prefix\n  %q", err, tt.want)
			}
		})
	}
}

func TestDataRelative(t *testing.T) {
	p, err := Parse("/etc/x/p.yaml", []byte("target: {url: http://h/}\ndata: {file: d/u.csv}\nrequests:\n  - {url: /, body_file: /abs/b}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Data.File != "/etc/x/d/u.csv" || p.Requests[0].BodyFile != "/abs/b" || p.Data.Order != OrderSequential {
		t.Errorf("data %+v request %+v", p.Data, p.Requests[0])
	}
}
