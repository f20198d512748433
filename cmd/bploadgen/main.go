// Command bploadgen is an open-loop, coordinated-omission-free HTTP load
// generator and capacity-analysis tool. See the README and docs/cli.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], newStdEnv()))
}
