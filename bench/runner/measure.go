package main

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"time"
)

// row is one tool's measurements.
type row struct {
	tool          string
	maxRate       float64
	maxRateNote   string
	cpuPerReq     time.Duration
	rssKB         int64
	p50Over       time.Duration
	p99Over       time.Duration
	at2000        trial
	overheadTrial trial
	serverP50     time.Duration
	serverP99     time.Duration
}

// trial is one run of a tool at one rate.
type trial struct {
	rate      float64
	requests  int64
	achieved  float64 // sent / planned
	errors    int64
	p50, p99  time.Duration
	lagP99    time.Duration // the tool's own send lag p99; -1 when it does not measure it
	seenLag   time.Duration // p99 lag of the arrivals at the target against the uniform schedule
	cpu       time.Duration
	wall      time.Duration
	rssKB     int64
	sustained bool
	why       string
}

// measureTool runs one tool against fresh targets: first the 2000 rps
// CPU/RSS run and the 10 ms-server run (so that no overloaded trial has
// left work behind), then the rate search, each trial after a pause, a
// failed rate tried once more before it counts.
func measureTool(o options, name, bin string) (row, error) {
	r := row{tool: name}
	url, stopT, err := startTarget(o, 0)
	if err != nil {
		return r, err
	}
	defer stopT()
	slowURL, stopS, err := startTarget(o, 10*time.Millisecond)
	if err != nil {
		return r, err
	}
	defer stopS()
	pause := func() { time.Sleep(2 * time.Second) }

	// CPU time varies by ±15% between runs on a shared VM: the median of 3.
	var perReq []time.Duration
	for i := 0; i < 3; i++ {
		tr, err := attack(o, name, bin, url, 2000, o.cpuDur)
		if err != nil {
			return r, err
		}
		pr := tr.cpu / time.Duration(max(tr.requests, 1))
		perReq = append(perReq, pr)
		r.rssKB = max(r.rssKB, tr.rssKB)
		r.at2000 = tr
		fmt.Fprintf(os.Stderr, "   2000 rps for %s: %d requests, cpu %s (%s/request), peak RSS %d KB, wall %s, arrivals lag p99 %s\n",
			o.cpuDur, tr.requests, tr.cpu, pr, tr.rssKB, tr.wall.Round(time.Millisecond), tr.seenLag)
		pause()
	}
	slices.Sort(perReq)
	r.cpuPerReq = perReq[1]

	if _, err := http.Get(slowURL + "__stats?reset=1"); err != nil {
		return r, err
	}
	tr, err := attack(o, name, bin, slowURL, 200, o.lDur)
	if err != nil {
		return r, err
	}
	sp50, sp99, err := serverStats(slowURL)
	if err != nil {
		return r, err
	}
	r.overheadTrial, r.serverP50, r.serverP99 = tr, sp50, sp99
	r.p50Over, r.p99Over = tr.p50-sp50, tr.p99-sp99
	fmt.Fprintf(os.Stderr, "   10 ms server at 200 rps: p50 %s (server %s), p99 %s (server %s)\n", tr.p50, sp50, tr.p99, sp99)

	fails := 0
	for _, rate := range o.rates {
		var tr trial
		for try := 0; try < 2; try++ {
			pause()
			if tr, err = attack(o, name, bin, url, rate, o.step); err != nil {
				return r, err
			}
			fmt.Fprintf(os.Stderr, "   %6.0f rps: achieved %.4f, errors %d, p50 %s, p99 %s, own lag p99 %s, arrivals lag p99 %s, sustained %v %s\n",
				rate, tr.achieved, tr.errors, tr.p50, tr.p99, lagText(tr.lagP99), tr.seenLag, tr.sustained, tr.why)
			if tr.sustained {
				break
			}
		}
		if tr.sustained {
			r.maxRate, fails = rate, 0
		} else if fails++; fails == 2 {
			break
		}
	}
	return r, nil
}

func lagText(d time.Duration) string {
	if d < 0 {
		return "n/a"
	}
	return d.String()
}

// judge applies the same rule to every tool: sustained means at least 99%
// of the planned requests were sent, none failed, and the arrivals at the
// target kept to the uniform schedule: their lag p99, as the target
// measured it (so whatever the tool reports about itself), under 1 ms.
func judge(t *trial) {
	t.sustained = false
	switch {
	case t.achieved < 0.99:
		t.why = fmt.Sprintf("(sent %.1f%% of the plan)", 100*t.achieved)
	case t.errors > 0:
		t.why = fmt.Sprintf("(%d errors)", t.errors)
	case t.seenLag > time.Millisecond:
		t.why = fmt.Sprintf("(arrivals at the target %s behind the schedule at p99)", t.seenLag)
	default:
		t.sustained = true
	}
}
