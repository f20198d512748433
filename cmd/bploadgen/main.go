// Command bploadgen is an open-loop, coordinated-omission-free HTTP load
// generator and capacity-analysis tool. See the README and docs/cli.md.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

func main() {
	// net/http's transport says some server misbehaviour (a response on an
	// idle connection) through the standard logger: say it as ours, and
	// only the first few times (a server may misbehave on every connection).
	log.SetFlags(0)
	log.SetPrefix("bploadgen: warning: net/http: ")
	log.SetOutput(&firstLines{w: os.Stderr, left: 5})
	ctx, stop := signalContext()
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], newStdEnv()))
}

// signalContext is cancelled by the first SIGINT or SIGTERM, which stops
// a command gracefully (a run waits out --grace and writes its partial
// result); the second ends the process at once, by the signal's default
// action, for when the graceful stop itself is what the user wants to cut.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // no longer caught: the next signal kills
	}()
	return ctx, stop
}

// firstLines passes the first left writes (the logger's lines) to w, then
// says once that it drops the rest.
type firstLines struct {
	mu   sync.Mutex
	w    io.Writer
	left int
}

func (f *firstLines) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.left > 0:
		f.left--
		return f.w.Write(p)
	case f.left == 0:
		f.left--
		fmt.Fprintln(f.w, "bploadgen: warning: net/http: more warnings of net/http's own are not shown")
	}
	return len(p), nil
}
