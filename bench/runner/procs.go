package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

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

// serverStats is the target's handler time since its last reset: median,
// p99 and mean.
func serverStats(url string) (p50, p99, mean time.Duration, err error) {
	resp, err := http.Get(url + "__stats")
	if err != nil {
		return 0, 0, 0, err
	}
	defer resp.Body.Close()
	var s map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return 0, 0, 0, err
	}
	return time.Duration(s["p50_ns"]), time.Duration(s["p99_ns"]), time.Duration(s["mean_ns"]), nil
}

// usage returns the CPU time and peak RSS of a finished command.
func usage(c *exec.Cmd) (time.Duration, int64) {
	ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Maxrss
}

// targetLag asks the target how late the arrivals since the last reset
// were against a uniform schedule at rate, the first skip (a warm-up) left
// out, and resets: by the handler's time, and by the kernel's receive
// stamp at the target's socket (−1 when the target has none).
func targetLag(url string, rate float64, skip int) (handler, socket time.Duration, socketOver float64, err error) {
	resp, err := http.Get(fmt.Sprintf("%s__schedule?rate=%g&skip=%d&reset=1", url, rate, skip))
	if err != nil {
		return 0, 0, 0, err
	}
	defer resp.Body.Close()
	var s map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return 0, 0, 0, err
	}
	socket, socketOver = -1, -1
	if n := s["socket_count"]; n > 0 {
		socket = time.Duration(s["socket_lag_p99_ns"])
		socketOver = float64(s["socket_lag_over_250us"]) / float64(n)
	}
	return time.Duration(s["lag_p99_ns"]), socket, socketOver, nil
}
