package openloop

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuWait is how long, in total, this process's threads have been
// runnable but waiting for a processor (the second field of
// /proc/self/task/*/schedstat, the scheduler's run-queue wait), and false
// where the kernel does not say. The difference across a run tells a test
// whether the machine starved the run (other test packages on CI's two
// cores) or the engine itself fell behind: a generator that is late while
// its process waited for no processor is late by its own doing.
func cpuWait() (time.Duration, bool) {
	stats, _ := filepath.Glob("/proc/self/task/*/schedstat")
	if len(stats) == 0 {
		return 0, false
	}
	var sum int64
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended meanwhile
		}
		fields := strings.Fields(string(b))
		if len(fields) < 2 {
			return 0, false
		}
		ns, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			return 0, false
		}
		sum += ns
	}
	return time.Duration(sum), true
}
