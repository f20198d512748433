package openloop

import (
	"strconv"
	"strings"
	"time"
)

// ParseServerTiming reads the "queue" and "svc" metrics' dur parameters
// (milliseconds, per the W3C Server Timing spec) from a Server-Timing
// header value such as `queue;dur=1.25, svc;dur=10.2`. A metric that is
// absent or malformed yields -1.
func ParseServerTiming(v string) (queue, svc time.Duration) {
	queue, svc = -1, -1
	for len(v) > 0 {
		var entry string
		entry, v, _ = strings.Cut(v, ",")
		name, params, _ := strings.Cut(entry, ";")
		name = strings.TrimSpace(name)
		if name != "queue" && name != "svc" {
			continue
		}
		d := time.Duration(-1)
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "dur") {
				continue
			}
			val = strings.Trim(strings.TrimSpace(val), `"`)
			ms, err := strconv.ParseFloat(val, 64)
			if err != nil || !(ms >= 0) || ms > 3.6e9 {
				continue
			}
			d = time.Duration(ms * float64(time.Millisecond))
		}
		if name == "queue" {
			queue = d
		} else {
			svc = d
		}
	}
	return queue, svc
}
