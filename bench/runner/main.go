// Command runner measures load generators side by side on this machine
// (see bench/README.md and bench/run.sh): for each tool the highest open-loop
// rate it sustains, its CPU time per request and peak RSS at 2000 rps, and
// the latency it adds to the median and p99 of a 10 ms server. The
// generator and the target can be pinned to different cores.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
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

// pinned wraps a command with taskset when pinning.
func pinned(cpus, bin string, args ...string) *exec.Cmd {
	if cpus == "" {
		return exec.Command(bin, args...)
	}
	return exec.Command("taskset", append([]string{"-c", cpus, bin}, args...)...)
}

func startTarget(o options, delay time.Duration) (url string, stop func(), err error) {
	c := pinned(o.targetCPU, o.target, "-addr", "127.0.0.1:0", "-delay", delay.String())
	stdout, err := c.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	c.Stderr = os.Stderr
	if err := c.Start(); err != nil {
		return "", nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		c.Process.Kill()
		return "", nil, fmt.Errorf("target: %v", err)
	}
	return "http://" + strings.TrimSpace(line) + "/", func() { c.Process.Signal(syscall.SIGTERM); c.Wait() }, nil
}

func serverStats(url string) (p50, p99 time.Duration, err error) {
	resp, err := http.Get(url + "__stats")
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var s map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return 0, 0, err
	}
	return time.Duration(s["p50_ns"]), time.Duration(s["p99_ns"]), nil
}

// usage returns the CPU time and peak RSS of a finished command.
func usage(c *exec.Cmd) (time.Duration, int64) {
	ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Maxrss
}

func attack(o options, name, bin, url string, rate float64, d time.Duration) (trial, error) {
	dir, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return trial{}, err
	}
	defer os.RemoveAll(dir)
	if _, err := targetLag(url, rate); err != nil { // reset the target's record
		return trial{}, err
	}
	start := time.Now()
	var t trial
	switch name {
	case "bploadgen":
		t, err = attackBploadgen(o, bin, url, rate, d, dir)
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
	if t.seenLag, err = targetLag(url, rate); err != nil {
		return t, err
	}
	judge(&t)
	return t, nil
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

// targetLag asks the target how late the arrivals since the last reset
// were against a uniform schedule at rate, and resets.
func targetLag(url string, rate float64) (time.Duration, error) {
	resp, err := http.Get(fmt.Sprintf("%s__schedule?rate=%g&reset=1", url, rate))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var s map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return 0, err
	}
	return time.Duration(s["lag_p99_ns"]), nil
}

func attackBploadgen(o options, bin, url string, rate float64, d time.Duration, dir string) (trial, error) {
	out := filepath.Join(dir, "r.json")
	c := pinned(o.genCPU, bin, "run", url, "--rate", fmt.Sprint(rate), "--duration", d.String(), "-q", "-o", out, "--timeout", "10s")
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
			Latency         struct{ P50, P99 float64 } `json:"latency_s"`
			SendLag         struct{ P99 float64 }      `json:"send_lag_s"`
		} `json:"total"`
	}
	if err := readJSON(out, &r); err != nil {
		return trial{}, err
	}
	t := trial{rate: rate, requests: r.Total.Sent, p50: secs(r.Total.Latency.P50), p99: secs(r.Total.Latency.P99), lagP99: secs(r.Total.SendLag.P99)}
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
			P50 int64 `json:"50th"`
			P99 int64 `json:"99th"`
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
	t.p50, t.p99 = time.Duration(r.Latencies.P50), time.Duration(r.Latencies.P99)
	return t, nil
}

func attackFortio(o options, bin, url string, rate float64, d time.Duration, dir string) (trial, error) {
	out := filepath.Join(dir, "r.json")
	// fortio paces per connection (closed loop underneath); 64 connections.
	c := pinned(o.genCPU, bin, "load", "-qps", fmt.Sprint(rate), "-t", d.String(), "-c", "64", "-json", out, "-quiet", url)
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
