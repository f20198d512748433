package openloop

import (
	"fmt"
	"net/http"
	"net/url"
)

// Client names which HTTP client sends the requests.
type Client string

// The clients: Auto picks, for plain http:// with no proxy and no HTTP/2,
// the event loop on Linux when the plan's peak rate is at least
// LoopFromRate, else H1 workers; net/http otherwise.
const (
	ClientAuto    Client = "auto"
	ClientH1      Client = "h1"       // H1Doer: plain http://, no proxy, HTTP/1.1
	ClientNetHTTP Client = "net/http" // HTTPDoer: https, proxies, HTTP/2
	ClientLoop    Client = "loop"     // H1Doer driven by the event loop (Linux; Config.EventLoop)
)

// LoopFromRate is the peak rate (rps) from which "auto" uses the event
// loop: below it the worker pool costs about a fifth less CPU per request;
// above it the loop sustains about twice the rate (bench/README.md).
const LoopFromRate = 5000

// ClosableDoer is a Doer with connections to release and count.
type ClosableDoer interface {
	Doer
	Close()
	// Dials is the number of connections opened, and of requests resent on
	// a fresh connection after a stale keep-alive one failed.
	Dials() (dials, retries int64)
	// Protocol is the HTTP version spoken with the target ("HTTP/1.1",
	// "HTTP/2.0"; "" when no response said).
	Protocol() string
}

// NewDoer builds the client for cfg: H1Doer for plain http:// without a
// proxy and without HTTP/2 (driven by the event loop for "loop", and for
// "auto" on Linux; the caller sets Config.EventLoop when it says "loop"),
// HTTPDoer otherwise. It also says which one it chose.
func NewDoer(which Client, cfg HTTPConfig) (ClosableDoer, Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, "", fmt.Errorf("url: %w", err)
	}
	h1ok := u.Scheme == "http" && !cfg.HTTP2 && !proxied(u)
	switch which {
	case ClientH1, ClientLoop:
		if !h1ok {
			return nil, "", &ClientError{Client: which}
		}
		if which == ClientLoop && !EventLoopSupported {
			return nil, "", &ClientError{Client: which, NeedsLinux: true}
		}
	case ClientAuto, "":
		switch {
		case !h1ok:
			which = ClientNetHTTP
		case EventLoopSupported && cfg.PeakRate >= LoopFromRate:
			which = ClientLoop
		default:
			which = ClientH1
		}
	case ClientNetHTTP:
	default:
		return nil, "", fmt.Errorf("unknown client %q (want auto, h1, loop or net/http)", which)
	}
	if which == ClientH1 || which == ClientLoop {
		d, err := NewH1Doer(cfg)
		return d, which, err
	}
	d, err := NewHTTPDoer(cfg)
	return d, ClientNetHTTP, err
}

// ClientError is a client NewDoer cannot use for the request: H1 and the
// event loop need a plain http:// URL with no proxy and no HTTP/2, and the
// event loop needs Linux.
type ClientError struct {
	Client     Client
	NeedsLinux bool
}

func (e *ClientError) Error() string {
	if e.NeedsLinux {
		return fmt.Sprintf("client %s needs Linux", e.Client)
	}
	return fmt.Sprintf("client %s needs a plain http:// URL with no proxy and no HTTP/2", e.Client)
}

// proxied reports whether the environment sends u through a proxy.
func proxied(u *url.URL) bool {
	p, err := http.ProxyFromEnvironment(&http.Request{URL: u})
	return err != nil || p != nil
}
