package runtest

import (
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// FullBacklog starts an http server on 127.0.0.1 whose accept queue (a
// backlog of 0: room for one) is held full by a connection that sends
// nothing, so the kernel drops every SYN that comes (Linux); after hold
// it accepts and answers 200, and a client's SYN, resent 1 s after the
// first, is answered. It returns the server's URL; the test's end stops it.
func FullBacklog(t testing.TB, hold time.Duration) string {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "listener")
	defer f.Close()
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.FileListener(f)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(sa.(*unix.SockaddrInet4).Port)
	filler, err := net.Dial("tcp", addr)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })}
	timer := time.AfterFunc(hold, func() { srv.Serve(ln) })
	t.Cleanup(func() {
		timer.Stop()
		srv.Close()
		ln.Close()
		filler.Close()
	})
	return "http://" + addr + "/"
}
