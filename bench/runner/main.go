// Command runner measures load generators side by side on this machine
// (see bench/README.md and bench/run.sh), all in one run so that their
// ratios are comparable: for each open-loop tool its CPU time per request
// at 2000 and 20k rps (medians of three runs, tools interleaved), its peak
// RSS, the latency it adds to the median and p99 of a 10 ms server, and
// the highest open-loop rate it sustains; for wrk (closed loop) its
// throughput against the same target. The generator and the target can be
// pinned to different cores.
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

// tool is one open-loop generator configuration.
type tool struct {
	name string   // as shown in the table
	kind string   // bploadgen, vegeta or fortio
	bin  string   // its binary
	args []string // extra arguments (bploadgen variants)
}

type options struct {
	target            string
	tools             []tool
	wrk               string // wrk binary; empty: no closed-loop reference
	wake              string // bench/wake binary; empty: no floor measured
	wrkThreads        int    // wrk -t, with 64 connections per thread
	genCPU, targetCPU string
	rates             []float64 // tried for the highest sustained rate
	cpuRates          []float64 // CPU per request measured at these
	runs              int
	phases            map[string]bool
	step, cpuDur      time.Duration
	lDur              time.Duration
	out               string
}

func main() {
	var o options
	var bpl, veg, fortio, rates, cpuRates, phases string
	var variants []string
	flag.StringVar(&o.target, "target", "", "the bench target binary (bench/target)")
	flag.StringVar(&bpl, "bploadgen", "", "bploadgen binary")
	flag.Func("variant", "also measure bploadgen with these extra arguments, split at spaces (repeatable), e.g. \"--timer-slack 1ms\"",
		func(s string) error { variants = append(variants, s); return nil })
	flag.StringVar(&veg, "vegeta", "", "vegeta binary (optional)")
	flag.StringVar(&fortio, "fortio", "", "fortio binary (optional)")
	flag.StringVar(&o.wake, "wake", "", "bench/wake binary (optional): in the CPU phase, each round, how late a bare thread's timed wake-ups are on the generator's CPU at each rate")
	flag.StringVar(&o.wrk, "wrk", "", "wrk binary (optional): closed-loop throughput against the same target")
	flag.IntVar(&o.wrkThreads, "wrk-threads", 1, "wrk's threads (-t), 64 connections each (-c): 1 as the issue measured; on a bigger machine as many as the generator's CPUs, for the closed-loop ceiling")
	flag.StringVar(&o.genCPU, "gen-cpu", "1", "CPU list for the generator (taskset -c); empty: no pinning")
	flag.StringVar(&o.targetCPU, "target-cpu", "0", "CPU list for the target; empty: no pinning")
	flag.StringVar(&rates, "rates", "2000,5000,10000,15000,20000,25000,30000,40000,50000,60000,70000", "rates tried for the highest sustained rate")
	flag.StringVar(&cpuRates, "cpu-rates", "2000,20000", "rates at which CPU per request is measured")
	flag.IntVar(&o.runs, "runs", 3, "runs per CPU and overhead figure (the median is reported)")
	flag.StringVar(&phases, "phases", "cpu,overhead,max", "what to measure: cpu, overhead, max (comma-separated)")
	flag.DurationVar(&o.step, "step", 5*time.Second, "length of each rate trial")
	flag.DurationVar(&o.cpuDur, "cpu-duration", 10*time.Second, "length of each CPU/RSS run")
	flag.DurationVar(&o.lDur, "latency-duration", 10*time.Second, "length of each 10 ms-server overhead run")
	flag.StringVar(&o.out, "out", "", "also write the table (Markdown) here")
	liveRuns := flag.Int("live-compare", 0, "only compare bploadgen's CPU per request at 2000 rps without and with --metrics-listen, this many runs each (bench/live.sh)")
	flag.Parse()
	if o.target == "" || bpl == "" {
		fatalf("-target and -bploadgen are required")
	}
	o.tools = append(o.tools, tool{name: "bploadgen", kind: "bploadgen", bin: bpl})
	for _, v := range variants {
		o.tools = append(o.tools, tool{name: "bploadgen " + v, kind: "bploadgen", bin: bpl, args: strings.Fields(v)})
	}
	if fortio != "" {
		o.tools = append(o.tools, tool{name: "fortio", kind: "fortio", bin: fortio})
	}
	if veg != "" {
		o.tools = append(o.tools, tool{name: "vegeta", kind: "vegeta", bin: veg})
	}
	o.rates, o.cpuRates = parseRates("-rates", rates), parseRates("-cpu-rates", cpuRates)
	o.phases = map[string]bool{}
	for _, p := range strings.Split(phases, ",") {
		o.phases[strings.TrimSpace(p)] = true
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

func parseRates(flagName, s string) []float64 {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 {
			fatalf("bad %s %q", flagName, s)
		}
		out = append(out, r)
	}
	return out
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "runner: "+format+"\n", args...)
	os.Exit(2)
}

func run(o options) error {
	res, err := measureAll(o)
	if err != nil {
		return err
	}
	table := render(o, res)
	fmt.Print(table)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(table), 0o644)
	}
	return nil
}

// loadAvg is the 1-minute load average (/proc/loadavg), or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}
