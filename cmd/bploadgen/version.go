package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/bploadgen/bploadgen/internal/result"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

// buildInfo returns the version, the VCS commit (if known) and the Go version.
func buildInfo() (ver, commit, goVersion string) {
	ver, goVersion = version, runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		if ver == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			ver = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				commit = s.Value
			}
		}
	}
	return ver, commit, goVersion
}

// toolInfo is this build, as a result records it.
func toolInfo() result.Tool {
	ver, commit, goVer := buildInfo()
	return result.Tool{Name: "bploadgen", Version: ver, Commit: commit, Go: goVer}
}

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit and Go version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, c, g := buildInfo()
			if c == "" {
				c = "unknown"
			}
			fmt.Fprintf(e.stdout, "bploadgen %s\ncommit %s\n%s\n", v, c, g)
			return nil
		},
	}
}
