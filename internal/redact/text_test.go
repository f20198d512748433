package redact

import (
	"strings"
	"testing"
)

// TestText: secrets nobody named are found by their shape.
func TestText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		// Go's url.Error keeps the user name and the query (issue 14, item 2).
		{`Get "http://alice:***@127.0.0.1:8080/p?api_key=K": context deadline exceeded`,
			`Get "http://REDACTED@127.0.0.1:8080/p?api_key=REDACTED": context deadline exceeded`},
		{"see https://h/x?page=2&token=abc. then", "see https://h/x?page=2&token=REDACTED then"},
		{"<a href='HTTP://u:p@h/'>", "<a href='http://REDACTED@h/'>"},
		{"challenge: Bearer realm=x", "challenge: Bearer realm=x"},
		{"echo: Bearer eyJhbGciOi.J9.sig-_x and more", "echo: Bearer REDACTED and more"},
		{"Bearer short", "Bearer short"},
		{"got Basic YWxpY2U6cHc= back", "got Basic REDACTED back"},
		{"Basic authentication required", "Basic authentication required"},
		{"GET /p?x=1&access_token=zzz HTTP/1.1", "GET /p?x=1&access_token=REDACTED HTTP/1.1"},
		{"session=abc; Path=/", "session=REDACTED; Path=/"},
		{`m{api_key="abc",le="1"} 3`, `m{api_key="REDACTED",le="1"} 3`},
		{"monkey=3 donkey", "monkey=REDACTED donkey"},
		{"x=1 y=2", "x=1 y=2"},
		{`{"token": "abc", "user": "bob", "password":"p\"w"}`, `{"token": "REDACTED", "user": "bob", "password":"REDACTED"}`},
		{`{"headers": {"Authorization": ["Bearer z"]}}`, `{"headers": {"Authorization": ["Bearer z"]}}`},
		{"Host: h\r\nAuthorization: Digest a=1\r\nX-Api-Key: k\r\n", "Host: h\r\nAuthorization: REDACTED\r\nX-Api-Key: REDACTED\r\n"},
		{"scrape: 2 of 3 samples failed", "scrape: 2 of 3 samples failed"},
		{"", ""},
	} {
		got := Text(tt.in)
		if got != tt.want {
			t.Errorf("Text(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
		if again := Text(got); again != got {
			t.Errorf("Text is not idempotent: %q -> %q", got, again)
		}
	}
}

// FuzzText: Text is idempotent on any input, and a token parameter's
// value never survives in a URL anywhere in text.
func FuzzText(f *testing.F) {
	f.Add("pre ", "Tok3nValue", " post")
	f.Add(`{"a":"`, "v", `"}`)
	f.Add("Authorization: Bearer ", "abcdefghij", "\n")
	f.Fuzz(func(t *testing.T, before, tok, after string) {
		in := before + "http://h/p?token=" + tok + " " + after
		out := Text(in)
		if again := Text(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
		if len(tok) >= 6 && isAlnum(tok) && strings.Contains(out, tok) && !strings.Contains(before+after, tok) {
			t.Fatalf("Text(%q) = %q keeps %q", in, out, tok)
		}
	})
}
