package openloop

import (
	"fmt"
	"net/http"
	"net/url"
)

// Client names which HTTP client sends the requests.
type Client string

// The clients: Auto picks, for plain http:// with no proxy and no HTTP/2,
// the event loop on Linux (at every rate: with kernel receive timestamps
// it wakes once per send, and costs less CPU per request than the worker
// pool at 2000 rps as well as sustaining several times the rate:
// bench/README.md), else H1 workers; net/http otherwise.
const (
	ClientAuto    Client = "auto"
	ClientH1      Client = "h1"       // H1Doer: plain http://, no proxy, HTTP/1.1
	ClientNetHTTP Client = "net/http" // HTTPDoer: https, proxies, HTTP/2
	ClientLoop    Client = "loop"     // H1Doer driven by the event loop (Linux; Config.EventLoop)
)

// RatePerLoop is the planned rate (rps) one event loop is given when
// the number of loops is automatic (AutoLoops): about a third of what one
// loop sustained on one core of the measured machine (bench/README.md),
// so a loop keeps its sends punctual with room to spare.
const RatePerLoop = 10000

// AutoLoops is how many event loops run a plan whose peak rate (this
// process's share, rps) is peak, on cores CPUs: one per RatePerLoop of
// peak, at least one and at most cores. One loop is the cheapest while it
// keeps up (its wake-ups serve every connection), so more are used only
// for rates one loop would struggle with.
func AutoLoops(peak float64, cores int) int {
	n := int(peak/RatePerLoop) + 1
	return max(1, min(n, cores))
}

// ClosableDoer is a Doer with connections to release and count.
type ClosableDoer interface {
	Doer
	Close()
	// Dials is the number of connections opened, and of requests resent on
	// a fresh connection after a stale keep-alive one failed.
	Dials() (dials, retries int64)
	// Retransmits is how many TCP segments the client resent on the
	// connections closed so far (SYNs and requests the target's kernel
	// dropped; Linux, 0 elsewhere): read it after Close.
	Retransmits() int64
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
		case EventLoopSupported:
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
