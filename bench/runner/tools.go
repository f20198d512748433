package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// attack runs tool tl at rate against url for d and judges the arrivals
// at the target.
func attack(o options, tl tool, url string, rate float64, d time.Duration) (trial, error) {
	name, bin := tl.kind, tl.bin
	dir, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return trial{}, err
	}
	defer os.RemoveAll(dir)
	if _, _, _, err := targetLag(url, rate, 0); err != nil { // reset the target's record
		return trial{}, err
	}
	start := time.Now()
	var t trial
	switch name {
	case "bploadgen":
		t, err = attackBploadgen(o, bin, tl.args, url, rate, d, dir)
	case "vegeta":
		t, err = attackVegeta(o, bin, url, rate, d, dir)
	case "fortio":
		t, err = attackFortio(o, bin, url, rate, d, dir)
	default:
		err = fmt.Errorf("unknown tool %s", name)
	}
	t.wall = time.Since(start)
	if err != nil {
		return t, err
	}
	// fortio sends one warm-up request per connection before its paced
	// ones: counted, they would put every paced arrival 32 ms (64 at 2000
	// rps) ahead of the uniform schedule, and its lag would read 0.
	skip := 0
	if name == "fortio" {
		skip = fortioConns
	}
	if t.seenLag, t.socketLag, t.sockOver, err = targetLag(url, rate, skip); err != nil {
		return t, err
	}
	judge(&t)
	return t, nil
}

func attackBploadgen(o options, bin string, extra []string, url string, rate float64, d time.Duration, dir string) (trial, error) {
	out := filepath.Join(dir, "r.json")
	args := append([]string{"run", url, "--rate", fmt.Sprint(rate), "--duration", d.String(), "-q", "-o", out, "--timeout", "10s"}, extra...)
	c := pinned(o.genCPU, bin, args...)
	c.Stdout = io.Discard
	c.Stderr = io.Discard
	if err := c.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 0 {
			// exit 1 (assertions) cannot happen without --assert; report others
			return trial{}, fmt.Errorf("bploadgen: %v", err)
		}
	}
	var r struct {
		Total struct {
			Scheduled, Sent int64
			Errors          map[string]int64
			Latency         struct{ P50, P99, Mean float64 } `json:"latency_s"`
			SendLag         struct{ P99 float64 }            `json:"send_lag_s"`
		} `json:"total"`
	}
	if err := readJSON(out, &r); err != nil {
		return trial{}, err
	}
	t := trial{rate: rate, requests: r.Total.Sent, p50: secs(r.Total.Latency.P50), p99: secs(r.Total.Latency.P99), mean: secs(r.Total.Latency.Mean), lagP99: secs(r.Total.SendLag.P99)}
	t.achieved = float64(r.Total.Sent) / float64(max(1, r.Total.Scheduled))
	for _, v := range r.Total.Errors {
		t.errors += v
	}
	t.cpu, t.rssKB = usage(c)
	return t, nil
}

func attackVegeta(o options, bin, url string, rate float64, d time.Duration, dir string) (trial, error) {
	targets := filepath.Join(dir, "targets")
	os.WriteFile(targets, []byte("GET "+url+"\n"), 0o644)
	res := filepath.Join(dir, "r.bin")
	c := pinned(o.genCPU, bin, "attack", "-targets", targets, "-rate", fmt.Sprint(int(rate)), "-duration", d.String(),
		"-max-workers", "10000", "-timeout", "10s", "-output", res)
	c.Stderr = io.Discard
	if err := c.Run(); err != nil {
		return trial{}, fmt.Errorf("vegeta attack: %v", err)
	}
	t := trial{rate: rate, lagP99: -1}
	t.cpu, t.rssKB = usage(c)
	rep := exec.Command(bin, "report", "-type", "json", res)
	b, err := rep.Output()
	if err != nil {
		return trial{}, fmt.Errorf("vegeta report: %v", err)
	}
	var r struct {
		Latencies struct {
			P50  int64 `json:"50th"`
			P99  int64 `json:"99th"`
			Mean int64 `json:"mean"`
		} `json:"latencies"`
		Requests    int64          `json:"requests"`
		Success     float64        `json:"success"`
		StatusCodes map[string]int `json:"status_codes"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return trial{}, err
	}
	t.requests = r.Requests
	t.achieved = float64(r.Requests) / (rate * d.Seconds())
	t.errors = r.Requests - int64(r.StatusCodes["200"])
	t.p50, t.p99, t.mean = time.Duration(r.Latencies.P50), time.Duration(r.Latencies.P99), time.Duration(r.Latencies.Mean)
	return t, nil
}

// fortioConns is fortio's -c, the command line.
const fortioConns = 64

func attackFortio(o options, bin, url string, rate float64, d time.Duration, dir string) (trial, error) {
	out := filepath.Join(dir, "r.json")
	// fortio paces per connection (closed loop underneath); 64 connections:
	// the command line (fortio load -qps R -c 64 -t 10s URL), plus
	// the JSON output the runner reads and -quiet.
	c := pinned(o.genCPU, bin, "load", "-qps", fmt.Sprint(rate), "-c", fmt.Sprint(fortioConns), "-t", d.String(), "-json", out, "-quiet", url)
	c.Stdout, c.Stderr = io.Discard, io.Discard
	if err := c.Run(); err != nil {
		return trial{}, fmt.Errorf("fortio: %v", err)
	}
	t := trial{rate: rate, lagP99: -1}
	t.cpu, t.rssKB = usage(c)
	var r struct {
		ActualQPS         float64
		DurationHistogram struct {
			Count       int64
			Avg         float64 // seconds
			Percentiles []struct{ Percentile, Value float64 }
		}
		RetCodes map[string]int64
	}
	if err := readJSON(out, &r); err != nil {
		return trial{}, err
	}
	t.requests = r.DurationHistogram.Count
	t.achieved = float64(t.requests) / (rate * d.Seconds())
	t.errors = t.requests - r.RetCodes["200"]
	t.mean = secs(r.DurationHistogram.Avg)
	for _, p := range r.DurationHistogram.Percentiles {
		switch p.Percentile {
		case 50:
			t.p50 = secs(p.Value)
		case 99:
			t.p99 = secs(p.Value)
		}
	}
	return t, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// closedLoop runs wrk as the issue measured it (wrk -t1 -c64 -d10s URL;
// -wrk-threads N: -tN -c64N): a closed loop, 64 connections a thread kept
// busy, on the generator's CPUs. It
// returns wrk's throughput (requests per second), its CPU time and requests.
func closedLoop(o options, bin, url string, d time.Duration) (rps float64, t trial, err error) {
	th := max(o.wrkThreads, 1)
	c := pinned(o.genCPU, bin, fmt.Sprintf("-t%d", th), fmt.Sprintf("-c%d", 64*th), fmt.Sprintf("-d%ds", int(d.Seconds())), url)
	var outb strings.Builder
	c.Stdout = &outb
	if err := c.Run(); err != nil {
		return 0, t, fmt.Errorf("wrk: %v", err)
	}
	t.cpu, t.rssKB = usage(c)
	for _, line := range strings.Split(outb.String(), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			rps, _ = strconv.ParseFloat(f[1], 64)
		case len(f) >= 5 && f[1] == "requests" && f[2] == "in":
			t.requests, _ = strconv.ParseInt(f[0], 10, 64)
		case len(f) >= 4 && f[0] == "Non-2xx":
			n, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
			t.errors += n
		case len(f) >= 2 && f[0] == "Socket" && f[1] == "errors:":
			t.errors++ // any socket error disqualifies the figure
		}
	}
	if rps == 0 {
		return 0, t, fmt.Errorf("wrk: no Requests/sec in %q", outb.String())
	}
	return rps, t, nil
}
