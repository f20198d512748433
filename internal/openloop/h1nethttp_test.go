package openloop

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// netHTTPVerdict is what the net/http client mode (HTTPDoer, as built for
// a run) makes of a server that answers a GET (a HEAD if head) with data
// and closes: the status, or 0 and the error.
func netHTTPVerdict(t *testing.T, data []byte, head bool) (int, error) {
	t.Helper()
	method := "GET"
	if head {
		method = "HEAD"
	}
	d, err := NewHTTPDoer(HTTPConfig{Method: method, URL: "http://verdict.invalid/", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.client.Transport.(*http.Transport).Proxy = nil
	d.client.Transport.(*http.Transport).DialContext = func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			if _, err := http.ReadRequest(bufio.NewReader(server)); err != nil {
				return
			}
			server.Write(data)
		}()
		return client, nil
	}
	var s Scratch
	r := d.Do(context.Background(), &s)
	return r.Status, r.Err
}

// ownVerdict is what the h1 and loop clients' parser makes of data.
func ownVerdict(data []byte, head bool) (int, error) {
	r, _, err := readH1Response(bufio.NewReaderSize(bytes.NewReader(data), h1BufSize), head, false, nil, nil)
	if err != nil {
		return 0, err
	}
	return r.status, nil
}

// FuzzVerdictMatchesNetHTTP: the same bytes from a server are the same
// outcome in every client mode: a response with the same status, or an
// error, in net/http's client and in the h1 and loop clients' parser, for
// a GET and for a HEAD.
func FuzzVerdictMatchesNetHTTP(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 x\r\nServer-Timing: svc;dur=1\r\n\r\nbody",
		"HTTP/1.1 503 \x1b[31mRED\r\nRetry-After: 5\x1b]0;x\x07\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX Bad: 1\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\x1b\r\n\r\nx",
		"HTTP/1.0 200 OK\r\n\r\nto the end",
		"HTTP/0.0 000 \n\n",
		"HTTP/1.1 000 x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\n0\r\n\r\n",
		"HTTP/1.0 200 \nTransfer-Encoding: gzip\nContent-Length: 1\n\nx",
		"HTTP/1.1  200  two spaces\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 02\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n \r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n \r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X, \r\n Content-Length\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\n x\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 ;a\r\nok\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\r\n0\r\n\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + strings.Repeat("e", 5000) + "\r\nx\r\n0\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: </a>\r\n\r\nHTTP/1.1 101 Up\r\n\r\n",
		"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\nTrailer: trailer\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX-\x80: \xff\x7f\r\nContent-Length: 0\r\n\r\n",
		// Folds of Trailer, Transfer-Encoding and Content-Length; trailer
		// sections; interim and no-body responses.
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X,\r\n Content-Length\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X\r\n ,Content-Length\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\n \r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: ,\r\n\tTrailer , x\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTrailer: Content-Length\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTrailer: Content-Length\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n x\r\nContent-Length: 1\r\n\r\nx",
		"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\nContent-Length: 1\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked \r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1 \r\nContent-Length:1\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n \r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n X: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\n\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0;e\r\nX:\x01\r\n\r\n",
		"HTTP/1.1 100 Continue\r\nTransfer-Encoding: gzip\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 204 No Content\r\nContent-Length: x\r\n\r\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		own, ownErr := ownVerdict(data, head)
		theirs, theirErr := netHTTPVerdict(t, data, head)
		if (ownErr == nil) != (theirErr == nil) || own != theirs {
			t.Fatalf("%q (HEAD %v):\nh1/loop: %d %v\nnet/http: %d %v", data, head, own, ownErr, theirs, theirErr)
		}
	})
}
