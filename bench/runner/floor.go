package main

import (
	"fmt"
	neturl "net/url"
	"os"
	"regexp"
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
