package run

import (
	"strings"
	"testing"
	"time"
)

func TestProgressLine(t *testing.T) {
	var b strings.Builder
	line := ProgressLine(&b)
	line(Progress{Elapsed: 1500 * time.Millisecond, Planned: 10 * time.Second, Sent: 150, Now: 3, Done: 147, NotSent: 2}, false)
	line(Progress{}, true)
	if want := "\r\033[K   1.5s / 10s  sent 150  in flight 3  done 147  not sent 2\r\033[K"; b.String() != want {
		t.Errorf("line\n got %q\nwant %q", b.String(), want)
	}
}
