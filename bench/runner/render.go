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
// overhead) and to wrk (highest rate).
func render(o options, res *results) string {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "Measured %s on %s (%d CPUs, %s), generator on CPU %q, target on CPU %q; load average %s at the start, %s at the end.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04"), host, runtime.NumCPU(), runtime.Version(), o.genCPU, o.targetCPU, res.loadStart, res.loadEnd)
	b.WriteString("| tool |")
	for _, r := range o.cpuRates {
		fmt.Fprintf(&b, " CPU/request at %.0f rps | arrivals lag p99 at %.0f rps |", r, r)
	}
	b.WriteString(" peak RSS | p50 overhead, 10 ms server | p99 overhead, 10 ms server | highest sustained open-loop rate |\n|---|")
	for range o.cpuRates {
		b.WriteString("---|---|")
	}
	b.WriteString("---|---|---|---|\n")
	var fortio *row
	for _, r := range res.rows {
		if r.tool.kind == "fortio" {
			fortio = r
		}
		fmt.Fprintf(&b, "| %s |", r.tool.name)
		for _, rate := range o.cpuRates {
			fmt.Fprintf(&b, " %s (runs: %s) | %s (socket %s) |", us(r.cpuPerReq[rate]), runsText(r.cpuRuns[rate]), r.seenLag[rate].Round(time.Microsecond), lagText(r.sockLag[rate].Round(time.Microsecond)))
		}
		fmt.Fprintf(&b, " %.1f MB | %s | %s | %s |\n", float64(r.rssKB)/1024, r.p50Over.Round(time.Microsecond), r.p99Over.Round(time.Microsecond), rateText(r.maxRate))
	}
	if res.wrkRPS > 0 {
		b.WriteString("| wrk -t1 -c64 (closed loop) |")
		for range o.cpuRates {
			b.WriteString(" – | – |")
		}
		fmt.Fprintf(&b, " – | – | – | %.0f rps closed loop (%s CPU/request) |\n", res.wrkRPS, us(res.wrkCPU))
	}
	for _, r := range res.rows {
		if r.tool.kind != "bploadgen" || (fortio == nil && res.wrkRPS == 0) {
			continue
		}
		fmt.Fprintf(&b, "| %s / %s |", r.tool.name, map[bool]string{true: "fortio", false: "–"}[fortio != nil])
		for _, rate := range o.cpuRates {
			f := "–"
			if fortio != nil {
				f = ratio(float64(r.cpuPerReq[rate]), float64(fortio.cpuPerReq[rate]))
			}
			fmt.Fprintf(&b, " %s | – |", f)
		}
		p50 := "–"
		if fortio != nil {
			p50 = ratio(float64(r.p50Over), float64(fortio.p50Over))
		}
		fmt.Fprintf(&b, " – | %s | – | %s of wrk's |\n", p50, ratio(r.maxRate, res.wrkRPS))
	}
	b.WriteString("\nCPU per request: user + system time of the generator process over the run divided by its requests; the median of the runs listed (tools take turns).\n")
	b.WriteString("Arrivals lag: the p99 lateness of the arrivals at the target against a uniform schedule (the target measures it, the same for every tool): when its handler ran, and (socket) when the request reached its socket by the kernel's receive stamp, without the one-core target's own delay in getting to it.\n")
	b.WriteString("Overhead: the tool's latency percentile minus the server's own handler-time percentile (bench/target measures it), at 200 rps, median of the runs.\n")
	b.WriteString("Sustained: ≥ 99% of the planned requests sent, no errors, and the arrivals at the target's socket (kernel receive stamps; the handler's time where there are none) within 1 ms of the uniform schedule at p99.\n")
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
