package openloop

import (
	"fmt"
	"net/http"
	"net/url"
)

// Client names which HTTP client sends the requests.
type Client string

// The clients: Auto picks H1 wherever it can.
const (
	ClientAuto    Client = "auto"
	ClientH1      Client = "h1"       // H1Doer: plain http://, no proxy, HTTP/1.1
	ClientNetHTTP Client = "net/http" // HTTPDoer: https, proxies, HTTP/2
)

// ClosableDoer is a Doer with connections to release and count.
type ClosableDoer interface {
	Doer
	Close()
	// Dials is the number of connections opened, and of requests resent on
	// a fresh connection after a stale keep-alive one failed.
	Dials() (dials, retries int64)
}

// NewDoer builds the client for cfg: H1Doer for plain http:// without a
// proxy and without HTTP/2 (when which is auto or h1), HTTPDoer otherwise.
// It also says which one it chose.
func NewDoer(which Client, cfg HTTPConfig) (ClosableDoer, Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, "", fmt.Errorf("url: %w", err)
	}
	h1ok := u.Scheme == "http" && !cfg.HTTP2 && !proxied(u)
	switch which {
	case ClientH1:
		if !h1ok {
			return nil, "", fmt.Errorf("--client h1 needs a plain http:// URL with no proxy and no --http2")
		}
	case ClientAuto, "":
		if !h1ok {
			which = ClientNetHTTP
		} else {
			which = ClientH1
		}
	case ClientNetHTTP:
	default:
		return nil, "", fmt.Errorf("unknown client %q (want auto, h1 or net/http)", which)
	}
	if which == ClientH1 {
		d, err := NewH1Doer(cfg)
		return d, ClientH1, err
	}
	d, err := NewHTTPDoer(cfg)
	return d, ClientNetHTTP, err
}

// proxied reports whether the environment sends u through a proxy.
func proxied(u *url.URL) bool {
	p, err := http.ProxyFromEnvironment(&http.Request{URL: u})
	return err != nil || p != nil
}
