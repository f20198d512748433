package capacity

import (
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/run"
)

func TestLive(t *testing.T) {
	var b strings.Builder
	l := &Live{W: &b, Budget: 3 * time.Minute}
	l.Event(Event{Probe: 2, Overload: true, Phase: "extend", Rate: 1200, Elapsed: 40 * time.Second})
	l.Progress(run.Progress{Elapsed: 2 * time.Second, Sent: 2400, Now: 7, NotSent: 1}, false)
	l.Event(Event{Probe: 2, Overload: true, Phase: "done", Rate: 1200, Verdict: "fail"})
	l.Progress(run.Progress{}, true)
	want := "\r\033[Koverload probe 2 @ 1,200 rps (extend)  42s / 3m00s budget  sent 2400  in flight 7  not sent 1" +
		"\r\033[Kprobe 2 @ 1,200 rps: fail\n" + "\r\033[K"
	if b.String() != want {
		t.Errorf("display\n got %q\nwant %q", b.String(), want)
	}
}
