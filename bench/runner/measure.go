package main

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"time"
)

// row is one open-loop tool's measurements.
type row struct {
	tool      tool
	cpuPerReq map[float64]time.Duration // median, by rate
	cpuRuns   map[float64][]time.Duration
	seenLag   map[float64]time.Duration // arrivals at the target, p99, median of the runs
	sockLag   map[float64]time.Duration // the same by the kernel's receive stamps (−1: none)
	ownLag    map[float64]time.Duration // the tool's own send lag p99 (−1: not measured)
	witnessed map[float64][][2]float64  // per run: share of arrivals over 250 µs late at the socket, and the witness's share (startWitness)
	rssKB     int64                     // largest at the first CPU rate
	p50Over   time.Duration
	p99Over   time.Duration
	meanOver  time.Duration
	maxRate   float64
}

// results is one run of the runner.
type results struct {
	rows               []*row
	wrkRPS             float64 // median closed-loop throughput
	wrkCPU             time.Duration
	wakeRuns           map[float64][]time.Duration // bench/wake's p99 lateness, by rate, a run each round
	loadStart, loadEnd string
}

// trial is one run of a tool at one rate.
type trial struct {
	rate      float64
	requests  int64
	achieved  float64 // sent / planned
	errors    int64
	p50, p99  time.Duration
	mean      time.Duration // the tool's mean latency
	lagP99    time.Duration // the tool's own send lag p99; -1 when it does not measure it
	seenLag   time.Duration // p99 lag of the arrivals at the target against the uniform schedule
	socketLag time.Duration // the same by the target socket's receive stamps; −1: none
	sockOver  float64       // the share of those over 250 µs late; −1: none
	cpu       time.Duration
	wall      time.Duration
	rssKB     int64
	sustained bool
	why       string
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func pause() { time.Sleep(2 * time.Second) }

// measureAll runs the phases. Within a phase the tools take turns run by
// run, so that drift on a shared machine hits them alike.
func measureAll(o options) (*results, error) {
	res := &results{loadStart: loadAvg(), wakeRuns: map[float64][]time.Duration{}}
	for _, t := range o.tools {
		res.rows = append(res.rows, &row{tool: t, cpuPerReq: map[float64]time.Duration{}, cpuRuns: map[float64][]time.Duration{},
			seenLag: map[float64]time.Duration{}, sockLag: map[float64]time.Duration{}, ownLag: map[float64]time.Duration{}, witnessed: map[float64][][2]float64{}})
	}
	url, stopT, err := startTarget(o, 0)
	if err != nil {
		return nil, err
	}
	defer stopT()
	if o.phases["cpu"] {
		if err := measureCPU(o, res, url); err != nil {
			return nil, err
		}
	}
	if o.phases["overhead"] {
		if err := measureOverhead(o, res); err != nil {
			return nil, err
		}
	}
	if o.phases["max"] {
		if err := measureMax(o, res, url); err != nil {
			return nil, err
		}
	}
	res.loadEnd = loadAvg()
	return res, nil
}

func measureCPU(o options, res *results, url string) error {
	for _, rate := range o.cpuRates {
		lags, socks := map[*row][]time.Duration{}, map[*row][]time.Duration{}
		for i := 0; i < o.runs; i++ {
			for _, r := range res.rows {
				pause()
				var witness func() (float64, error)
				if o.wake != "" {
					var err error
					if witness, err = startWitness(o, o.cpuDur+time.Second); err != nil { // the tool's start and end too
						return err
					}
				}
				tr, err := attack(o, r.tool, url, rate, o.cpuDur)
				if err != nil {
					return err
				}
				witnessed := ""
				if witness != nil {
					share, err := witness()
					if err != nil {
						return err
					}
					r.witnessed[rate] = append(r.witnessed[rate], [2]float64{tr.sockOver, share})
					witnessed = fmt.Sprintf(", over 250 µs late at the socket %.2f%% (a bare thread beside it, late over 250 µs: %.2f%% of its wake-ups)", 100*tr.sockOver, 100*share)
				}
				pr := tr.cpu / time.Duration(max(tr.requests, 1))
				r.cpuRuns[rate] = append(r.cpuRuns[rate], pr)
				if rate == o.cpuRates[0] {
					r.rssKB = max(r.rssKB, tr.rssKB)
				}
				lags[r], socks[r] = append(lags[r], tr.seenLag), append(socks[r], tr.socketLag)
				r.ownLag[rate] = max(r.ownLag[rate], tr.lagP99)
				fmt.Fprintf(os.Stderr, "   %s at %.0f rps for %s: %d requests (%.4f of plan), cpu %s (%s/request), peak RSS %d KB, arrivals lag p99 %s (at the socket %s%s), own lag p99 %s, load %s\n",
					r.tool.name, rate, o.cpuDur, tr.requests, tr.achieved, tr.cpu, pr, tr.rssKB, tr.seenLag, lagText(tr.socketLag), witnessed, lagText(tr.lagP99), loadAvg())
			}
			if o.wake != "" {
				pause()
				d, err := measureWake(o, rate, url)
				if err != nil {
					return err
				}
				res.wakeRuns[rate] = append(res.wakeRuns[rate], d)
			}
		}
		for _, r := range res.rows {
			r.cpuPerReq[rate], r.seenLag[rate], r.sockLag[rate] = median(r.cpuRuns[rate]), median(lags[r]), median(socks[r])
		}
	}
	return nil
}

func measureOverhead(o options, res *results) error {
	slowURL, stopS, err := startTarget(o, 10*time.Millisecond)
	if err != nil {
		return err
	}
	defer stopS()
	p50s, p99s, means := map[*row][]time.Duration{}, map[*row][]time.Duration{}, map[*row][]time.Duration{}
	for i := 0; i < o.runs; i++ {
		for _, r := range res.rows {
			pause()
			if _, err := http.Get(slowURL + "__stats?reset=1"); err != nil {
				return err
			}
			tr, err := attack(o, r.tool, slowURL, 200, o.lDur)
			if err != nil {
				return err
			}
			sp50, sp99, smean, err := serverStats(slowURL)
			if err != nil {
				return err
			}
			p50s[r], p99s[r], means[r] = append(p50s[r], tr.p50-sp50), append(p99s[r], tr.p99-sp99), append(means[r], tr.mean-smean)
			fmt.Fprintf(os.Stderr, "   %s, 10 ms server at 200 rps: p50 %s (server %s), p99 %s (server %s), mean %s (server %s), load %s\n",
				r.tool.name, tr.p50, sp50, tr.p99, sp99, tr.mean, smean, loadAvg())
		}
	}
	for _, r := range res.rows {
		r.p50Over, r.p99Over, r.meanOver = median(p50s[r]), median(p99s[r]), median(means[r])
	}
	return nil
}

// measureMax searches each tool's highest sustained rate (a failed rate
// is tried once more; two failed rates in a row end the search), then
// measures wrk's closed-loop throughput against the same target.
func measureMax(o options, res *results, url string) error {
	for _, r := range res.rows {
		fails := 0
		for _, rate := range o.rates {
			var tr trial
			var err error
			for try := 0; try < 2; try++ {
				pause()
				if tr, err = attack(o, r.tool, url, rate, o.step); err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "   %s %6.0f rps: achieved %.4f, errors %d, p50 %s, p99 %s, own lag p99 %s, arrivals lag p99 %s (at the socket %s), sustained %v %s, load %s\n",
					r.tool.name, rate, tr.achieved, tr.errors, tr.p50, tr.p99, lagText(tr.lagP99), tr.seenLag, lagText(tr.socketLag), tr.sustained, tr.why, loadAvg())
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
	}
	if o.wrk == "" {
		return nil
	}
	var rpss []time.Duration // rps as a Duration, to reuse median
	var cpus []time.Duration
	for i := 0; i < o.runs; i++ {
		pause()
		rps, tr, err := closedLoop(o, o.wrk, url, o.cpuDur)
		if err != nil {
			return err
		}
		if tr.errors > 0 {
			return fmt.Errorf("wrk: %d errors against the target", tr.errors)
		}
		pr := tr.cpu / time.Duration(max(tr.requests, 1))
		rpss, cpus = append(rpss, time.Duration(rps)), append(cpus, pr)
		fmt.Fprintf(os.Stderr, "   wrk -t%d: %.0f requests/s, cpu %s/request, load %s\n", max(o.wrkThreads, 1), rps, pr, loadAvg())
	}
	res.wrkRPS, res.wrkCPU = float64(median(rpss)), median(cpus)
	return nil
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
// An arrival is when the request reached the target's socket (the
// kernel's receive stamp) where the target has the stamps, else when its
// handler ran: the handler's time adds the target's own queue, which at
// half its capacity was most of the lag (bench/README.md).
func judge(t *trial) {
	t.sustained = false
	lag, at := t.socketLag, "the target's socket"
	if lag < 0 {
		lag, at = t.seenLag, "the target"
	}
	switch {
	case t.achieved < 0.99:
		t.why = fmt.Sprintf("(sent %.1f%% of the plan)", 100*t.achieved)
	case t.errors > 0:
		t.why = fmt.Sprintf("(%d errors)", t.errors)
	case lag > time.Millisecond:
		t.why = fmt.Sprintf("(arrivals at %s %s behind the schedule at p99)", at, lag)
	default:
		t.sustained = true
	}
}
