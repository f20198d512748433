// Command floor measures the least CPU a Go program on this machine spends
// on one loopback HTTP request-response: one keep-alive connection, a
// request written and its response read, nothing else (no parsing beyond
// reading, no recording). With -interval it first sleeps until each
// planned send time, as an open loop at 1/interval requests per second
// must. It prints the CPU time per request (getrusage). bench/README.md
// uses it to tell the platform's cost from bploadgen's.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	addr := flag.String("addr", "127.0.0.1:19090", "the bench target's address")
	n := flag.Int("n", 20000, "requests")
	interval := flag.Duration("interval", 0, "sleep until start + i·interval before request i (0: back to back)")
	flag.Parse()
	c, err := net.Dial("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	br := bufio.NewReader(c)
	req := []byte("GET / HTTP/1.1\r\nHost: floor\r\n\r\n")
	buf := make([]byte, 4096)
	start, c0 := time.Now(), cpu()
	for i := 0; i < *n; i++ {
		if *interval > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(i) * *interval)))
		}
		if _, err := c.Write(req); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		if _, err := br.Read(buf); err != nil { // the bench target's response fits one read
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
	}
	d := cpu() - c0
	fmt.Printf("floor: %d requests in %s, CPU %s = %.1f µs per request\n", *n, time.Since(start).Round(time.Millisecond), d, float64(d.Nanoseconds())/1e3/float64(*n))
}
