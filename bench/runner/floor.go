package main

import (
	"fmt"
	neturl "net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wakeP99 matches bench/wake's p99 in its one line of output.
var wakeP99 = regexp.MustCompile(` p99 (\S+) p99\.9 `)

// measureWake runs bench/wake on the generator's CPUs for the length of a
// CPU run at rate (a deadline every 1/rate, with bploadgen's short time
// slice), sending a GET to the target (url) at each wake-up, and returns
// how late its wake-ups were at p99: what a thread that does nothing but
// wake on time and send gets from this machine at that moment, the floor
// under every tool's arrivals lag in the same round (on loopback a send
// wakes the target's CPU, and the sender's next wake-up is late more
// often for it: bench/README.md).
func measureWake(o options, rate float64, url string) (time.Duration, error) {
	every := time.Duration(float64(time.Second) / rate)
	n := int(o.cpuDur / every)
	u, err := neturl.Parse(url)
	if err != nil {
		return 0, err
	}
	out, err := pinned(o.genCPU, o.wake, "-n", fmt.Sprint(n), "-every", every.String(), "-slice", "-send", u.Host).Output()
	if err != nil {
		return 0, fmt.Errorf("bench/wake: %v", err)
	}
	m := wakeP99.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("bench/wake: no p99 in %q", out)
	}
	d, err := time.ParseDuration(string(m[1]))
	if err != nil {
		return 0, fmt.Errorf("bench/wake: %v", err)
	}
	fmt.Fprintf(os.Stderr, "   bare thread (bench/wake -slice -send) every %s on the generator's CPU: late by %s at p99, load %s\n", every, d, loadAvg())
	return d, nil
}

// witnessEvery is how often the witness wakes: rarely enough to cost a
// tool on the same CPU little (one ~50 µs wake-up per 5 ms), often enough
// for a share over 250 µs in a 10 s run (2,000 wake-ups).
const witnessEvery = 5 * time.Millisecond

// wakeOver matches bench/wake's counts: over 250µs A, over 1ms B of N.
var wakeOver = regexp.MustCompile(`over 250µs (\d+), over 1ms (\d+) of (\d+)`)

// startWitness starts bench/wake on the generator's CPUs for d, beside a
// tool's run: a bare thread that sleeps to a deadline every witnessEvery
// (bploadgen's short slice, no sends). Its late wake-ups are the
// machine's at that moment, so the share of them over 250 µs is what a
// sleeping thread on that CPU got in the same seconds as the tool's
// arrivals (bench/README.md: both are late in the same milliseconds).
// wait returns that share.
func startWitness(o options, d time.Duration) (wait func() (float64, error), err error) {
	c := pinned(o.genCPU, o.wake, "-n", fmt.Sprint(int(d/witnessEvery)), "-every", witnessEvery.String(), "-slice")
	var out strings.Builder
	c.Stdout = &out
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("bench/wake: %v", err)
	}
	return func() (float64, error) {
		if err := c.Wait(); err != nil {
			return 0, fmt.Errorf("bench/wake: %v", err)
		}
		m := wakeOver.FindStringSubmatch(out.String())
		if m == nil {
			return 0, fmt.Errorf("bench/wake: no counts in %q", out.String())
		}
		over, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[3])
		return float64(over) / float64(max(n, 1)), nil
	}, nil
}
