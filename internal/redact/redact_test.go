package redact

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/":                           "http://127.0.0.1:8080/",
		"https://user:pw@example.test/x?a=1":               "https://REDACTED@example.test/x?a=1",
		"http://h/p?token=abc&page=2&api_key=k&Signature=": "http://h/p?token=REDACTED&page=2&api_key=REDACTED&Signature=REDACTED",
		"http://h/p?q=%22%3E&access_token=x#frag":          "http://h/p?q=%22%3E&access_token=REDACTED#frag",
		"http://REDACTED@h/?token=REDACTED":                "http://REDACTED@h/?token=REDACTED",
		"http://h/p?flag":                                  "http://h/p?flag",
		"user:pw@127.0.0.1:8080/?token=abc":                "REDACTED@127.0.0.1:8080/?REDACTED",
		"mailto:someone@example.test":                      "REDACTED@example.test",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactHeader(t *testing.T) {
	for _, name := range []string{"Authorization", "cookie", "X-Api-Key", "X-Auth-Token", "X-Session-Id"} {
		if got := Header(name, "v"); got != Redacted {
			t.Errorf("Header(%q) = %q", name, got)
		}
	}
	if got := Header("Accept", "text/html"); got != "text/html" {
		t.Errorf("Accept redacted: %q", got)
	}
}

// FuzzRedactURL: a password in the userinfo and the value of a token
// parameter never survive, whatever surrounds them.
func FuzzRedactURL(f *testing.F) {
	f.Add("example.test", "/p", "Secr3tPass", "Tok3nValue", "a=1")
	f.Add("127.0.0.1:8080", `/"><script>`, "pw", "t", "")
	f.Fuzz(func(t *testing.T, host, path, pass, tok, extra string) {
		raw := "http://user:" + url.QueryEscape(pass) + "@" + host + path + "?" + extra + "&token=" + url.QueryEscape(tok)
		out := URL(raw)
		if _, err := url.Parse(raw); err != nil {
			// Unparsable: at least the userinfo is gone.
			if len(pass) >= 6 && isAlnum(pass) && strings.Contains(out, pass) && !strings.Contains(host+path+extra, pass) {
				t.Fatalf("URL(%q) = %q keeps the password", raw, out)
			}
			return
		}
		for _, secret := range []string{pass, tok} {
			if len(secret) >= 6 && isAlnum(secret) && strings.Contains(out, secret) && !strings.Contains(host+path+extra, secret) {
				t.Fatalf("URL(%q) = %q keeps %q", raw, out, secret)
			}
		}
		if again := URL(out); again != out {
			t.Fatalf("URL is not idempotent: %q -> %q", out, again)
		}
		// Given without its scheme ("user:pw@host:8080/"), as users do.
		bare := strings.TrimPrefix(raw, "http://")
		if out := URL(bare); len(pass) >= 6 && isAlnum(pass) && strings.Contains(out, pass) && !strings.Contains(host+path+extra, pass) {
			t.Fatalf("URL(%q) = %q keeps the password", bare, out)
		}
	})
}

func isAlnum(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func TestColumn(t *testing.T) {
	for _, tt := range []struct {
		name   string
		secret bool
	}{{"token", true}, {"api_key", true}, {"Password", true}, {"auth_header", true}, {"session_id", true}, {"user", false}, {"term", false}} {
		if got := IsSecretColumn(tt.name); got != tt.secret {
			t.Errorf("IsSecretColumn(%q) = %v", tt.name, got)
		}
		want := "v"
		if tt.secret {
			want = Redacted
		}
		if got := Column(tt.name, "v"); got != want {
			t.Errorf("Column(%q) = %q", tt.name, got)
		}
	}
}
