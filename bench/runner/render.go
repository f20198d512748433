package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d.Nanoseconds())/1e3) }

func ratio(a, b float64) string {
	if b == 0 || a == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// render writes the table: one row per open-loop tool, wrk's closed-loop
// row, and the ratios of each bploadgen configuration to fortio (CPU,
// overhead) and to wrk (highest rate); only the columns of the phases
// measured.
func render(o options, res *results) string {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "Measured %s on %s (%d CPUs, %s), generator on CPU %q, target on CPU %q; load average %s at the start, %s at the end.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04"), host, runtime.NumCPU(), runtime.Version(), o.genCPU, o.targetCPU, res.loadStart, res.loadEnd)
	cpu, over, top := o.phases["cpu"], o.phases["overhead"], o.phases["max"]
	var fortio *row
	for _, r := range res.rows {
		if r.tool.kind == "fortio" {
			fortio = r
		}
	}
	// Each line's cells, phase by phase: the CPU rates', then RSS, the
	// overhead, the highest rate.
	line := func(name string, cpuCells func(rate float64) string, rss, overCells, topCell string) {
		fmt.Fprintf(&b, "| %s |", name)
		if cpu {
			for _, rate := range o.cpuRates {
				b.WriteString(cpuCells(rate))
			}
			b.WriteString(rss)
		}
		if over {
			b.WriteString(overCells)
		}
		if top {
			b.WriteString(topCell)
		}
		b.WriteString("\n")
	}
	line("tool", func(r float64) string {
		return fmt.Sprintf(" CPU/request at %.0f rps | arrivals lag p99 at %.0f rps |", r, r)
	}, " peak RSS |", " p50 overhead, 10 ms server | p99 overhead, 10 ms server | mean overhead, 10 ms server |", " highest sustained open-loop rate |")
	line("---", func(float64) string { return "---|---|" }, "---|", "---|---|---|", "---|")
	for _, r := range res.rows {
		line(r.tool.name, func(rate float64) string {
			return fmt.Sprintf(" %s (runs: %s) | %s (socket %s) |", us(r.cpuPerReq[rate]), runsText(r.cpuRuns[rate]), r.seenLag[rate].Round(time.Microsecond), lagText(r.sockLag[rate].Round(time.Microsecond)))
		}, fmt.Sprintf(" %.1f MB |", float64(r.rssKB)/1024),
			fmt.Sprintf(" %s | %s | %s |", r.p50Over.Round(time.Microsecond), r.p99Over.Round(time.Microsecond), r.meanOver.Round(time.Microsecond)),
			fmt.Sprintf(" %s |", rateText(r.maxRate)))
	}
	if res.wrkRPS > 0 {
		th := max(o.wrkThreads, 1)
		line(fmt.Sprintf("wrk -t%d -c%d (closed loop)", th, 64*th), func(float64) string { return " – | – |" }, " – |", " – | – | – |",
			fmt.Sprintf(" %.0f rps closed loop (%s CPU/request) |", res.wrkRPS, us(res.wrkCPU)))
	}
	for _, r := range res.rows {
		if r.tool.kind != "bploadgen" || (fortio == nil && res.wrkRPS == 0) {
			continue
		}
		p50, mean := "–", "–"
		if fortio != nil {
			p50, mean = ratio(float64(r.p50Over), float64(fortio.p50Over)), ratio(float64(r.meanOver), float64(fortio.meanOver))
		}
		line(fmt.Sprintf("%s / %s", r.tool.name, map[bool]string{true: "fortio", false: "–"}[fortio != nil]), func(rate float64) string {
			f := "–"
			if fortio != nil {
				f = ratio(float64(r.cpuPerReq[rate]), float64(fortio.cpuPerReq[rate]))
			}
			return fmt.Sprintf(" %s | – |", f)
		}, " – |", fmt.Sprintf(" %s | – | %s |", p50, mean), fmt.Sprintf(" %s of wrk's |", ratio(r.maxRate, res.wrkRPS)))
	}
	b.WriteString("\n")
	if cpu {
		b.WriteString("CPU per request: user + system time of the generator process over the run divided by its requests; the median of the runs listed (tools take turns).\n")
		for _, rate := range o.cpuRates {
			if w := res.wakeRuns[rate]; len(w) > 0 {
				fmt.Fprintf(&b, "Floor at %.0f rps: a bare thread on the generator's CPU that wakes every %s and sends one GET to the target (bench/wake -slice -send, a run each round, in turn with the tools) woke late by %s at p99 (median; runs: %s µs).\n",
					rate, time.Duration(float64(time.Second)/rate), median(w).Round(time.Microsecond), runsText(w))
			}
		}
		for _, rate := range o.cpuRates {
			for _, r := range res.rows {
				if w := r.witnessed[rate]; len(w) > 0 {
					var runs []string
					for _, x := range w {
						runs = append(runs, fmt.Sprintf("%.2f/%.2f", 100*x[0], 100*x[1]))
					}
					fmt.Fprintf(&b, "Witness at %.0f rps, %s: arrivals over 250 µs late at the socket / a bare thread's wake-ups over 250 µs late beside it (bench/wake -slice every %s on the generator's CPU, during the run), %% by run: %s.\n",
						rate, r.tool.name, witnessEvery, strings.Join(runs, ", "))
				}
			}
		}
		b.WriteString("Arrivals lag: the p99 lateness of the arrivals at the target against a uniform schedule (the target measures it, the same for every tool): when its handler ran, and (socket) when the request reached its socket by the kernel's receive stamp, without the one-core target's own delay in getting to it.\n")
	}
	if over {
		b.WriteString("Overhead: the tool's latency percentile minus the server's own handler-time percentile (bench/target measures it), at 200 rps, median of the runs. Mean overhead: the tool's mean latency minus the server's mean handler time; both are over the same requests, so it is the mean of each request's overhead, where a difference of medians is not (the server's 10 ms sleep ends ~0.1 or ~1 ms late, about half the time each, and the two medians may fall in different modes: bench/README.md).\n")
	}
	if top {
		b.WriteString("Sustained: ≥ 99% of the planned requests sent, no errors, and the arrivals at the target's socket (kernel receive stamps; the handler's time where there are none) within 1 ms of the uniform schedule at p99.\n")
	}
	return b.String()
}

func runsText(d []time.Duration) string {
	var s []string
	for _, x := range d {
		s = append(s, fmt.Sprintf("%.0f", float64(x.Nanoseconds())/1e3))
	}
	return strings.Join(s, ", ")
}

func rateText(r float64) string {
	if r == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f rps", r)
}
