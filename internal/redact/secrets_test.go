package redact

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestSecretsForms: each way a run is given a secret, and each form an
// echo or an error message spells it in, is replaced.
func TestSecretsForms(t *testing.T) {
	const pw = "s3cr3t/P@ss w0rd"
	basic := base64.StdEncoding.EncodeToString([]byte("alice:" + pw))
	tests := []struct {
		name string
		add  func(*Secrets)
		in   string
		want string
	}{
		{"value as given", func(s *Secrets) { s.Add(pw) }, "got " + pw + "!", "got REDACTED!"},
		{"query-escaped", func(s *Secrets) { s.Add(pw) }, "q=s3cr3t%2FP%40ss+w0rd.", "q=REDACTED."},
		{"query-escaped, %20 for space", func(s *Secrets) { s.Add(pw) }, "s3cr3t%2FP%40ss%20w0rd", "REDACTED"},
		{"path-escaped", func(s *Secrets) { s.Add(pw) }, "/a/s3cr3t%2FP@ss%20w0rd/b", "/a/REDACTED/b"},
		{"lower-case hex", func(s *Secrets) { s.Add(pw) }, "s3cr3t%2fP%40ss+w0rd", "REDACTED"},
		{"base64", func(s *Secrets) { s.Add(pw) }, "x " + base64.StdEncoding.EncodeToString([]byte(pw)), "x REDACTED"},
		{"html-escaped", func(s *Secrets) { s.Add(`a<b>"c"&d`) }, "<p>a&lt;b&gt;&#34;c&#34;&amp;d</p>", "<p>REDACTED</p>"},
		{"json-escaped", func(s *Secrets) { s.Add(`a<b>"c"`) }, `{"v":"a\u003cb\u003e\"c\""}`, `{"v":"REDACTED"}`},
		{"URL password, user and Basic form", func(s *Secrets) { s.AddURL("http://alice:" + "s3cr3t%2FP%40ss%20w0rd" + "@h/") },
			"sent " + basic + " user alice pass " + pw, "sent REDACTED user REDACTED pass REDACTED"},
		{"URL secret query value", func(s *Secrets) { s.AddURL("http://h/p?page=2&api_key=K3yValue&sig=abcd1234#access_token=fragtok1") },
			"echo K3yValue abcd1234 fragtok1 page", "echo REDACTED REDACTED REDACTED page"},
		{"Bearer header", func(s *Secrets) { s.AddHeader("Authorization", "Bearer tok.en-12345") },
			"invalid token tok.en-12345 in body", "invalid token REDACTED in body"},
		{"Basic header decoded", func(s *Secrets) { s.AddHeader("authorization", "Basic "+basic) },
			"user alice with " + pw, "user REDACTED with REDACTED"},
		{"cookie values", func(s *Secrets) { s.AddHeader("Cookie", "theme=dark; sid=c00kieValue") },
			"you sent c00kieValue", "you sent REDACTED"},
		{"API key header", func(s *Secrets) { s.AddHeader("X-API-Key", "k-9f8e7d") }, "bad key k-9f8e7d", "bad key REDACTED"},
		{"not a secret header", func(s *Secrets) { s.AddHeader("Accept", "text/plain") }, "text/plain", "text/plain"},
		{"overlapping secrets become one", func(s *Secrets) { s.Add("abcdef"); s.Add("defghi") }, "xabcdefghiy", "xREDACTEDy"},
		{"truncated at the end", func(s *Secrets) { s.Add("0123456789abcdef") }, "body 0123456", "body REDACTED"},
		{"truncated before an ellipsis", func(s *Secrets) { s.Add("0123456789abcdef") }, "body 0123456…", "body REDACTED…"},
		{"short values are not searched", func(s *Secrets) { s.Add("abc") }, "abc YWJj", "abc YWJj"},
		{"nil adds nothing", func(s *Secrets) {}, "plain text", "plain text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Secrets
			tt.add(&s)
			got := s.String(tt.in)
			if got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := s.String(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

// TestSecretsPlaceholder: a value inside the placeholder cannot be hidden
// and is refused; one that overlaps its edge is still removed.
func TestSecretsPlaceholder(t *testing.T) {
	var s Secrets
	s.Add("DACT")
	if got := s.String("a DACT b"); got != "a DACT b" {
		t.Fatalf("a substring of the placeholder was searched for: %q", got)
	}
	s.Add("EDzz9") // "REDACT" + "ED" + "zz9" after a replacement
	s.Add("Qwerty12")
	got := s.String("Qwerty12zz9 EDzz9")
	if strings.Contains(got, "EDzz9") || strings.Contains(got, "Qwerty12") || s.String(got) != got {
		t.Errorf("String = %q", got)
	}
}

// FuzzSecrets: a secret put anywhere in any text never survives, and
// String is idempotent.
func FuzzSecrets(f *testing.F) {
	f.Add("Secr3tValue", "before ", " after")
	f.Add("EDACTEDx", "R", "")
	f.Add("ab%2Fcd", "http://u:", "@h/?token=x")
	f.Fuzz(func(t *testing.T, secret, before, after string) {
		var s Secrets
		s.Add(secret)
		if len(secret) < MinSecretBytes || strings.Contains(Redacted, secret) {
			return
		}
		out := s.String(before + secret + after)
		if strings.Contains(out, secret) {
			t.Fatalf("String(%q) = %q keeps %q", before+secret+after, out, secret)
		}
		if again := s.String(out); again != out {
			t.Fatalf("not idempotent: %q -> %q", out, again)
		}
	})
}

// TestOverlap checks the linear prefix-at-the-end search against the
// obvious quadratic one on every pair of strings over {a, b} up to 6 long.
func TestOverlap(t *testing.T) {
	var all []string
	for n := 0; n <= 6; n++ {
		for m := 0; m < 1<<n; m++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = "ab"[m>>i&1]
			}
			all = append(all, string(b))
		}
	}
	for _, s := range all {
		for _, v := range all {
			want := 0
			for k := len(v) - 1; k > 0; k-- {
				if strings.HasSuffix(s, v[:k]) {
					want = k
					break
				}
			}
			if got := overlap(s, v); got != want {
				t.Fatalf("overlap(%q, %q) = %d, want %d", s, v, got, want)
			}
		}
	}
}
