package result

import (
	"runtime"
	"testing"
)

// TestBuildTool: the name and a version set at build time are kept, and
// the Go version is this binary's. (A test binary has no module version,
// so "dev" stays "dev".)
func TestBuildTool(t *testing.T) {
	for _, v := range []string{"v1.2.3", "dev"} {
		got := BuildTool("bploadgen", v)
		if got.Name != "bploadgen" || got.Version != v || got.Go != runtime.Version() {
			t.Errorf("BuildTool(bploadgen, %q) = %+v", v, got)
		}
	}
}
