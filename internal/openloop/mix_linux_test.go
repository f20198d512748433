package openloop

import (
	"testing"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// loopRenderAllocs checks the event loop's per-connection rendering.
func loopRenderAllocs(t *testing.T, e *Engine, d *H1Doer) {
	l := &evLoop{e: e, d: d}
	c := &loopConn{}
	var a schedule.Arrival
	l.prepare(c, a)
	if n := testing.AllocsPerRun(1000, func() {
		a.Seq++
		l.prepare(c, a)
	}); n != 0 || len(c.wbuf) == 0 {
		t.Errorf("event loop render: %v allocs per arrival (%d bytes)", n, len(c.wbuf))
	}
}
