// Command drip is a slow HTTP/1.1 server for measuring a client's memory
// with many connections waiting for their headers (bench/README.md): it
// answers every request 200, but sends the status line, then a header
// block of -lines lines of -line bytes each, in -pieces pieces -every
// apart, so every connection holds half-received header lines (a line is
// cut wherever a piece ends) for pieces × every. It listens on 127.0.0.1
// only, keeps connections alive, and stops on SIGINT/SIGTERM.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (127.0.0.1 only)")
	lines := flag.Int("lines", 1, "header lines per response")
	line := flag.Int("line", 64<<10, "bytes per header line (name, value and CRLF)")
	pieces := flag.Int("pieces", 8, "pieces the header block is sent in")
	every := flag.Duration("every", 250*time.Millisecond, "pause before each piece")
	flag.Parse()
	if host, _, err := net.SplitHostPort(*addr); err != nil || host != "127.0.0.1" {
		fmt.Fprintln(os.Stderr, "drip: -addr must be 127.0.0.1:PORT")
		os.Exit(2)
	}
	if *line < 12 || *lines < 1 || *pieces < 1 {
		fmt.Fprintln(os.Stderr, "drip: -line must be ≥ 12, -lines and -pieces ≥ 1")
		os.Exit(2)
	}
	field := "X-Drip: " + strings.Repeat("d", *line-10) + "\r\n"
	head := []byte(strings.Repeat(field, *lines))
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "drip:", err)
		os.Exit(1)
	}
	fmt.Println(l.Addr().String())
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go serve(c, head, *pieces, *every)
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	l.Close()
}

// serve answers each request on c: the status line, head in pieces, the
// end of the header block and a 2-byte body.
func serve(c net.Conn, head []byte, pieces int, every time.Duration) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		for { // the request's head; its body, if any, is not read
			s, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if s == "\r\n" || s == "\n" {
				break
			}
		}
		if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\n")); err != nil {
			return
		}
		step := (len(head) + pieces - 1) / pieces
		for i := 0; i < len(head); i += step {
			time.Sleep(every)
			if _, err := c.Write(head[i:min(i+step, len(head))]); err != nil {
				return
			}
		}
		if _, err := c.Write([]byte("Content-Length: 2\r\n\r\nok")); err != nil {
			return
		}
	}
}
