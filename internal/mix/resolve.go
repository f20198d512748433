package mix

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"github.com/bploadgen/bploadgen/internal/profile"
)

// resolve splits a request URL into its origin (scheme://host, static) and
// the rest (path and query, a template's text), resolving a relative URL
// against base as a browser would: "/p" from the host, "?q" on the base
// path, "p" beside the base path's last segment. The fragment is dropped:
// it is never sent.
func resolve(base, ref string) (origin, rest string, err error) {
	if profile.IsAbsoluteURL(ref) {
		i := strings.Index(ref, "://")
		j := i + 3
		for j < len(ref) && ref[j] != '/' && ref[j] != '?' && ref[j] != '#' {
			j++
		}
		origin, rest = ref[:j], ref[j:]
		scheme := strings.ToLower(ref[:i])
		if scheme != "http" && scheme != "https" {
			return "", "", fmt.Errorf("%q: the scheme must be http or https", profile.RedactURL(clip(ref)))
		}
		if j == i+3 {
			return "", "", fmt.Errorf("%q: no host", profile.RedactURL(clip(ref)))
		}
	} else {
		if base == "" {
			return "", "", fmt.Errorf("%q is relative, and there is no target URL to resolve it against", clip(ref))
		}
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", "", fmt.Errorf("the target URL %q is not an absolute http(s) URL", profile.RedactURL(base))
		}
		origin = base[:strings.Index(base, "://")+3] + u.Host
		if u.User != nil {
			origin = base[:strings.Index(base, "://")+3] + u.User.String() + "@" + u.Host
		}
		basePath := u.EscapedPath()
		if basePath == "" {
			basePath = "/"
		}
		switch {
		case strings.HasPrefix(ref, "/"):
			rest = ref
		case strings.HasPrefix(ref, "?"):
			rest = basePath + ref
		case ref == "":
			rest = basePath
			if u.RawQuery != "" {
				rest += "?" + u.RawQuery
			}
		default:
			rest = basePath[:strings.LastIndex(basePath, "/")+1] + ref
		}
	}
	rest = cutFragment(rest)
	if rest == "" || rest[0] == '?' {
		rest = "/" + rest
	}
	return origin, rest, nil
}

func cutFragment(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

func basic(user, pw string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pw))
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
