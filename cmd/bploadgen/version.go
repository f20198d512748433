package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bploadgen/bploadgen/internal/result"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

// toolInfo is this build, as a result records it.
func toolInfo() result.Tool { return result.BuildTool("bploadgen", version) }

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit and Go version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t := toolInfo()
			if t.Commit == "" {
				t.Commit = "unknown"
			}
			fmt.Fprintf(e.stdout, "bploadgen %s\ncommit %s\n%s\n", t.Version, t.Commit, t.Go)
			return nil
		},
	}
}
