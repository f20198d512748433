package run

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A logging server in a process of its own (this test binary, re-run as
// TestHelperLogProcess): its receive times are not disturbed by the
// generator's threads sharing its Go scheduler, as an independent server's
// are not. It prints its address, then one line per request received,
// "UNIXNANO PATH", and exits when its stdin closes.

// TestHelperLogProcess is the server's body; it does nothing in a normal
// test run.
func TestHelperLogProcess(t *testing.T) {
	if os.Getenv("BPL_LOG_PROCESS") != "1" {
		t.Skip("the logging server of startLogProcess")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.Exit(1)
	}
	lines := make(chan string, 1<<16)
	go http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lines <- strconv.FormatInt(time.Now().UnixNano(), 10) + " " + r.URL.Path
		w.Write([]byte("ok"))
	}))
	fmt.Printf("http://%s/\n", l.Addr())
	go func() { io.Copy(io.Discard, os.Stdin); close(lines) }()
	w := bufio.NewWriter(os.Stdout)
	for s := range lines {
		w.WriteString(s + "\n")
	}
	w.Flush()
	os.Exit(0)
}

// startLogProcess starts the logging server; stop ends it and returns the
// requests it received, in the order of their receive times.
func startLogProcess(t *testing.T) (base string, stop func() []got, pid int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLogProcess$")
	cmd.Env = append(os.Environ(), "BPL_LOG_PROCESS=1")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(out)
	first, err := br.ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("logging server: %v", err)
	}
	var once sync.Once
	var log []got
	stop = func() []got {
		once.Do(func() {
			in.Close()
			sc := bufio.NewScanner(br)
			for sc.Scan() {
				ns, path, _ := strings.Cut(sc.Text(), " ")
				n, _ := strconv.ParseInt(ns, 10, 64)
				log = append(log, got{at: time.Unix(0, n), path: path})
			}
			cmd.Wait()
			// Handlers stamp, then queue their lines: two at nearly one
			// instant may queue in the other order.
			slices.SortStableFunc(log, func(a, b got) int { return a.at.Compare(b.at) })
		})
		return log
	}
	t.Cleanup(func() { stop() })
	return strings.TrimSpace(first), stop, cmd.Process.Pid
}
