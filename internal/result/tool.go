package result

import (
	"runtime"
	"runtime/debug"
)

// BuildTool is this binary as a result records it: name; version, or the
// module's version when version is "dev" and the build knows one; the VCS
// commit, when the build knows it; the Go version.
func BuildTool(name, version string) Tool {
	t := Tool{Name: name, Version: version, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if t.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			t.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				t.Commit = s.Value
			}
		}
	}
	return t
}
