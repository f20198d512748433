package run

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/bploadgen/bploadgen/internal/openloop"
)

// TLSError is an https target whose TLS handshake failed before the
// schedule started, in a way that would fail every request: its
// certificate does not verify, it does not speak TLS, or it refused the
// handshake (an alert). Nothing was sent; the run could not be carried
// out. The command says how to skip the certificate check.
type TLSError struct {
	Target string // scheme://host:port: no user info, path or query
	// Verify is true when the certificate did not verify (skipping the
	// check, Options.Insecure, would let the run go on).
	Verify bool
	Err    error
}

func (e *TLSError) Error() string {
	if e.Verify {
		return fmt.Sprintf("%s: the TLS certificate does not verify: %v", e.Target, e.Err)
	}
	return fmt.Sprintf("%s: the TLS handshake failed: %v", e.Target, e.Err)
}

func (e *TLSError) Unwrap() error { return e.Err }

// preflightTLS makes one TLS handshake with an https target before the
// schedule starts, with the client's own TLS settings (openloop.TLSConfig:
// certificates checked unless insecure, h2 offered when HTTP/2 is
// allowed). Nothing but the handshake is sent, and the
// connection is closed at once. A *TLSError says every request would fail
// at the handshake; any other failure (refused, timed out, reset) is left
// to the run, which records it per request as it does for http://. A
// plain http:// target, or one reached through a proxy, is not checked.
func preflightTLS(ctx context.Context, hc openloop.HTTPConfig) error {
	u, err := url.Parse(hc.URL)
	if err != nil || u.Scheme != "https" {
		return nil
	}
	if p, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err != nil || p != nil {
		return nil
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	cfg := openloop.TLSConfig(hc)
	cfg.ServerName = u.Hostname() // as net/http does: the URL's host, whatever a Host header says
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: hc.Timeout}, Config: cfg}
	ctx, cancel := context.WithTimeout(ctx, hc.Timeout)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var cert *tls.CertificateVerificationError
		var rec tls.RecordHeaderError
		var alert tls.AlertError
		target := "https://" + addr
		switch {
		case errors.As(err, &cert):
			return &TLSError{Target: target, Verify: true, Err: cert.Err}
		case errors.As(err, &rec):
			return &TLSError{Target: target, Err: errors.New("the server does not speak TLS (is it http://?)")}
		case errors.As(err, &alert):
			return &TLSError{Target: target, Err: err}
		}
		return nil
	}
	return c.Close()
}
