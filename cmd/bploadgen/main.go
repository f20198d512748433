// Command bploadgen is an open-loop, coordinated-omission-free HTTP load
// generator and capacity-analysis tool. See the README and docs/cli.md.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// net/http's transport says some server misbehaviour (a response on an
	// idle connection) through the standard logger: say it as ours.
	log.SetFlags(0)
	log.SetPrefix("bploadgen: warning: net/http: ")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], newStdEnv()))
}
