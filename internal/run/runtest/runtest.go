// Package runtest holds targets for tests of the run pipeline and of the
// commands that drive it: servers on 127.0.0.1 that tests start and stop.
package runtest

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TLSTarget starts an https server on 127.0.0.1 with httptest's
// self-signed certificate, offering h2 when h2 is set, closed when the test
// ends. It answers 200 "ok" and counts the connections it accepted
// (handshakes included, refused ones too) and the requests it served.
func TLSTarget(t testing.TB, h2 bool) (url string, conns, served *atomic.Int64) {
	t.Helper()
	conns, served = new(atomic.Int64), new(atomic.Int64)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		w.Write([]byte("ok"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.EnableHTTP2 = h2
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL, conns, served
}
