package mix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/profile"
)

func TestParseTargets(t *testing.T) {
	name := filepath.Join("testdata", "targets.txt")
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseTargets(name, data)
	if err != nil {
		t.Fatal(err)
	}
	want := []profile.Request{
		{Name: "GET /search", Weight: 1, Method: "GET", URL: "http://127.0.0.1:8080/search?q=shoes", Line: 1, Headers: []profile.Header{{Name: "X-Trace", Value: "1"}}},
		{Name: "POST /checkout", Weight: 1, Method: "POST", URL: "/checkout", Line: 4, BodyFile: filepath.Join("testdata", "body.json"), Headers: []profile.Header{{Name: "Content-Type", Value: "application/json"}}},
		{Name: "GET /search", Weight: 1, Method: "GET", URL: "/search?q=hats", Line: 7},
		{Name: "PUT /cart", Weight: 1, Method: "PUT", URL: "/cart", Line: 8, Body: "{\"line\": 1}\n{{not a placeholder}}\n"},
		{Name: "HEAD /health", Weight: 1, Method: "HEAD", URL: "/health", Line: 14},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d targets: %+v", len(got), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Weight != w.Weight || g.Method != w.Method || g.URL != w.URL || g.Line != w.Line ||
			g.BodyFile != w.BodyFile || g.Body != w.Body || len(g.Headers) != len(w.Headers) || (len(w.Headers) > 0 && g.Headers[0] != w.Headers[0]) {
			t.Errorf("target %d = %+v\nwant %+v", i+1, g, w)
		}
	}
	// Built as a set: literal texts, names grouped, the body file read.
	s, err := Build(Spec{Base: "http://127.0.0.1:8080/", Requests: got, File: name, Literal: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(s.Names(), "|") != "GET /search|POST /checkout|PUT /cart|HEAD /health" || s.NameOf(2) != 0 {
		t.Errorf("names %q", s.Names())
	}
	b, _ := s.AppendHTTP1(1, 0, nil)
	if !strings.HasSuffix(string(b), "Content-Length: 8\r\n\r\n{\"n\": 1}") {
		t.Errorf("POST = %q", b)
	}
	b, _ = s.AppendHTTP1(3, 0, nil)
	if !strings.HasSuffix(string(b), "\r\n\r\n{\"line\": 1}\n{{not a placeholder}}\n") {
		t.Errorf("PUT = %q", b)
	}
}

func TestParseTargetsErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", "t.txt: no targets"},
		{"\n\n", "t.txt: no targets"},
		{"GET\n", `t.txt:1: want a target line METHOD URL, not "GET"`},
		{"G(T /x\n", `t.txt:1: invalid HTTP method "G(T"`},
		{"GET ftp://h/x\n", `t.txt:1: invalid URL "ftp://h/x"`},
		{"GET /x\nNoColon\n", `t.txt:2: header "NoColon": want 'Name: value'`},
		{"GET /x\nAuthorization Bearer s3cret\n", `t.txt:2: header "Authorization Bearer…": want 'Name: value'`},
		{"GET /x\n@\n", "t.txt:2: @ needs a body file"},
		{"GET /x\n@<<\n", "t.txt:2: @<< needs a tag"},
		{"GET /x\n@<<EOF\nabc\n", `t.txt:3: the body is not ended by a line "EOF"`},
		{"GET /a b\n", `t.txt:1: want a target line METHOD URL`},
	}
	for _, tt := range tests {
		_, err := ParseTargets("t.txt", []byte(tt.text))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseTargets(%q) = %v\nwant prefix %q", tt.text, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error leaks a secret: %v", err)
		}
	}
}

// FuzzParseTargets: any input parses or errors with the file's name,
// never panics; what parses has a method, a URL and a name.
func FuzzParseTargets(f *testing.F) {
	data, _ := os.ReadFile(filepath.Join("testdata", "targets.txt"))
	f.Add(data)
	for _, s := range []string{"GET /\n", "POST http://h/\n@<<E\nx\nE\n", "GET /\nA: b\nGET /c\n", "GET /x\n@b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reqs, err := ParseTargets("t.txt", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "t.txt") {
				t.Fatalf("error without the file: %v", err)
			}
			return
		}
		for _, r := range reqs {
			if r.Method == "" || r.URL == "" || r.Name == "" || r.Weight != 1 {
				t.Fatalf("target %+v", r)
			}
		}
	})
}
