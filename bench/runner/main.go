// Command runner measures load generators side by side on this machine
// (see bench/README.md and bench/run.sh): for each tool the highest open-loop
// rate it sustains, its CPU time per request and peak RSS at 2000 rps, and
// the latency it adds to the median and p99 of a 10 ms server. The
// generator and the target can be pinned to different cores.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type options struct {
	target             string
	tools              map[string]string // name -> binary
	genCPU, targetCPU  string
	rates              []float64
	step, cpuDur, lDur time.Duration
	out                string
}

func main() {
	var o options
	var bpl, veg, fortio, rates string
	flag.StringVar(&o.target, "target", "", "the bench target binary (bench/target)")
	flag.StringVar(&bpl, "bploadgen", "", "bploadgen binary")
	flag.StringVar(&veg, "vegeta", "", "vegeta binary (optional)")
	flag.StringVar(&fortio, "fortio", "", "fortio binary (optional)")
	flag.StringVar(&o.genCPU, "gen-cpu", "1", "CPU list for the generator (taskset -c); empty: no pinning")
	flag.StringVar(&o.targetCPU, "target-cpu", "0", "CPU list for the target; empty: no pinning")
	flag.StringVar(&rates, "rates", "2000,5000,8000,10000,12000,15000,20000,25000,30000,40000,60000", "rates tried for the highest sustained rate")
	flag.DurationVar(&o.step, "step", 5*time.Second, "length of each rate trial")
	flag.DurationVar(&o.cpuDur, "cpu-duration", 10*time.Second, "length of the 2000 rps CPU/RSS run")
	flag.DurationVar(&o.lDur, "latency-duration", 10*time.Second, "length of the 10 ms-server overhead run")
	flag.StringVar(&o.out, "out", "", "also write the table (Markdown) here")
	liveRuns := flag.Int("live-compare", 0, "only compare bploadgen's CPU per request at 2000 rps without and with --metrics-listen, this many runs each (bench/live.sh)")
	flag.Parse()
	o.tools = map[string]string{}
	for name, p := range map[string]string{"bploadgen": bpl, "vegeta": veg, "fortio": fortio} {
		if p != "" {
			o.tools[name] = p
		}
	}
	for _, s := range strings.Split(rates, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || r <= 0 {
			fatalf("bad -rates %q", rates)
		}
		o.rates = append(o.rates, r)
	}
	if o.target == "" || bpl == "" {
		fatalf("-target and -bploadgen are required")
	}
	if _, err := exec.LookPath("taskset"); err != nil || runtime.NumCPU() < 2 {
		fmt.Fprintln(os.Stderr, "runner: no taskset or fewer than 2 CPUs: not pinning")
		o.genCPU, o.targetCPU = "", ""
	}
	if *liveRuns > 0 {
		if err := liveCompare(o, bpl, *liveRuns); err != nil {
			fatalf("%v", err)
		}
		return
	}
	if err := run(o); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "runner: "+format+"\n", args...)
	os.Exit(2)
}

func run(o options) error {
	var rows []row
	for _, name := range []string{"bploadgen", "vegeta", "fortio"} {
		bin, ok := o.tools[name]
		if !ok {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", name)
		r, err := measureTool(o, name, bin)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	table := render(o, rows)
	fmt.Print(table)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(table), 0o644)
	}
	return nil
}

func render(o options, rows []row) string {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "Measured %s on %s (%d CPUs, %s), generator on CPU %q, target on CPU %q.\n\n",
		time.Now().UTC().Format("2006-01-02"), host, runtime.NumCPU(), runtime.Version(), o.genCPU, o.targetCPU)
	b.WriteString("| tool | highest sustained open-loop rate | CPU per request at 2000 rps | peak RSS at 2000 rps | p50 overhead, 10 ms server | p99 overhead, 10 ms server |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	var base *row
	for i := range rows {
		r := &rows[i]
		if r.tool == "vegeta" {
			base = r
		}
		fmt.Fprintf(&b, "| %s | %s | %.1f µs | %.1f MB | %s | %s |\n", r.tool, rateText(r.maxRate),
			float64(r.cpuPerReq.Nanoseconds())/1e3, float64(r.rssKB)/1024, r.p50Over.Round(time.Microsecond), r.p99Over.Round(time.Microsecond))
	}
	if base != nil && rows[0].tool == "bploadgen" {
		r := rows[0]
		ratio := func(a, b float64) string {
			if b == 0 {
				return "–"
			}
			return fmt.Sprintf("%.2f", a/b)
		}
		fmt.Fprintf(&b, "| bploadgen / vegeta | %s | %s | %s | %s | %s |\n", ratio(r.maxRate, base.maxRate),
			ratio(float64(r.cpuPerReq), float64(base.cpuPerReq)), ratio(float64(r.rssKB), float64(base.rssKB)),
			ratio(float64(r.p50Over), float64(base.p50Over)), ratio(float64(r.p99Over), float64(base.p99Over)))
	}
	b.WriteString("\nSustained: ≥ 99% of the planned requests sent, no errors, and the arrivals at the target within 1 ms of the uniform schedule at p99 (measured by the target, the same for every tool).\n")
	b.WriteString("CPU per request: user + system time of the generator process, the median of three 2000 rps runs.\n")
	b.WriteString("Overhead: the tool's latency percentile minus the server's own handler-time percentile (bench/target measures it), at 200 rps.\n")
	return b.String()
}

func rateText(r float64) string {
	if r == 0 {
		return "none of the rates tried"
	}
	return fmt.Sprintf("%.0f rps", r)
}
