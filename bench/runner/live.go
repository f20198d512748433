package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"
)

// liveCompare measures bploadgen's CPU per request at 2000 rps without and
// with --metrics-listen, scraped every second as a Prometheus would: runs
// alternate (without, with) so that drift on a shared machine hits both
// alike; the medians of runs each are printed with their ratio (issue #18:
// within 10%).
func liveCompare(o options, bin string, runs int) error {
	url, stop, err := startTarget(o, 0)
	if err != nil {
		return err
	}
	defer stop()
	var without, with []time.Duration
	for i := 0; i < runs; i++ {
		for _, live := range []bool{false, true} {
			time.Sleep(2 * time.Second)
			pr, n, scrapes, err := liveTrial(o, bin, url, live)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "   run %d, metrics %-5v: %d requests, %s CPU/request, %d scrapes\n", i+1, live, n, pr, scrapes)
			if live {
				with = append(with, pr)
			} else {
				without = append(without, pr)
			}
		}
	}
	slices.Sort(without)
	slices.Sort(with)
	mw, mo := with[len(with)/2], without[len(without)/2]
	fmt.Printf("CPU per request at 2000 rps for %s, median of %d runs: without --metrics-listen %s, with (scraped every 1 s) %s, ratio %.3f\n",
		o.cpuDur, runs, mo, mw, float64(mw)/float64(mo))
	fmt.Printf("without: %v\nwith:    %v\n", without, with)
	return nil
}

// liveTrial is one 2000 rps run; with live it serves metrics on a free
// loopback port and a scraper reads them every second.
func liveTrial(o options, bin, url string, live bool) (perReq time.Duration, requests int64, scrapes int64, err error) {
	dir, err := os.MkdirTemp("", "bench-live")
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "r.json")
	args := []string{"run", url, "--rate", "2000", "--duration", o.cpuDur.String(), "-q", "-o", out, "--timeout", "10s"}
	var addr string
	if live {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, 0, 0, err
		}
		addr = ln.Addr().String()
		ln.Close()
		args = append(args, "--metrics-listen", addr)
	}
	c := pinned(o.genCPU, bin, args...)
	c.Stdout, c.Stderr = io.Discard, io.Discard
	if err := c.Start(); err != nil {
		return 0, 0, 0, err
	}
	done := make(chan struct{})
	var n atomic.Int64
	if live {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						n.Add(1)
					}
				}
			}
		}()
	}
	err = c.Wait()
	close(done)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("bploadgen: %v", err)
	}
	var r struct{ Total struct{ Sent int64 } }
	if err := readJSON(out, &r); err != nil {
		return 0, 0, 0, err
	}
	cpu, _ := usage(c)
	return cpu / time.Duration(max(r.Total.Sent, 1)), r.Total.Sent, n.Load(), nil
}
