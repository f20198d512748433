package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// TestLevelsChart: nginx in front of gunicorn (testdata/shedding) refused
// none of the requests sent below level 13 and 96% at 13: the chart has a
// bar per level sent at, its tooltip the counts, and the HTML report
// shows it under the evidence. A result without levels (recorded before
// them) or that shed nothing has none.
func TestLevelsChart(t *testing.T) {
	r, err := result.ReadFile("../../testdata/shedding/nginx-gunicorn.json")
	if err != nil {
		t.Fatal(err)
	}
	c := levelsChart(r)
	if c == nil {
		t.Fatal("no chart")
	}
	var titles []string
	for _, b := range c.Rects {
		if b.Title != "" {
			titles = append(titles, b.Title)
		}
	}
	if len(titles) != 15 || titles[0] != "level 0: 0 of 33 refused (0%)" || !strings.HasPrefix(titles[13], "level 13: 1,486 of 1,545 refused (96.") {
		t.Errorf("bars %q", titles)
	}
	var html bytes.Buffer
	if err := WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), `id="chart-levels"`) {
		t.Error("the HTML report has no levels chart")
	}
	old := *r
	old.Stages = append([]result.Stage(nil), r.Stages...)
	for i := range old.Stages {
		old.Stages[i].InFlightAtSend = nil
	}
	if levelsChart(&old) != nil {
		t.Error("a chart without levels")
	}
	shard := *r
	shard.Shard = &result.Shard{Index: 1, Count: 2}
	if levelsChart(&shard) != nil {
		t.Error("a chart for a shard")
	}
	calm := *r
	calm.Stages = r.Stages[:1] // 0 refused at 100 rps
	if c := levelsChart(&calm); c != nil {
		t.Errorf("a chart where nothing was shed: %d bars", len(c.Rects))
	}
}
