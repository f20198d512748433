package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// A target that sheds with 502 (nginx in front of a full php-fpm
// backlog), its 502s counted as shed by the analysis (shedding.statuses):
// the reading and the knee chart count them as the analysis does and say
// 502, where they read "0% answered 503" and no shedding, beside a
// predicted 502 ratio.
func TestShedStatuses(t *testing.T) {
	r := loadFixture(t)
	if r.Analysis == nil || r.Total.Status["503"] == 0 {
		t.Fatal("the fixture has no analysis or no 503s")
	}
	recode(r, "503", "502")
	r.Analysis.Shedding = &result.Shedding{Mechanism: "bounded-queue", Statuses: []string{"502", "503", "429"}}
	var rd bytes.Buffer
	if err := Reading(&rd, r); err != nil {
		t.Fatal(err)
	}
	if s := rd.String(); !strings.Contains(s, "answered 502/503/429") || !strings.Contains(s, "It shed load with fast 502s") {
		t.Errorf("reading:\n%s", s)
	}
	c := kneeChart(r)
	var obs []string
	for _, d := range c.Dots {
		if strings.Contains(d.Title, "observed 502 ratio") {
			obs = append(obs, d.Title)
		}
	}
	last := &r.Stages[len(r.Stages)-1]
	if want := "observed 502 ratio " + numfmt.Percent(float64(last.Status["502"])/float64(last.Scheduled)); len(obs) != len(r.Stages) || !strings.HasSuffix(obs[len(obs)-1], want) {
		t.Errorf("knee chart's observed dots %q, want one per stage, the last ending %q", obs, want)
	}
	r.Analysis.Stages[len(r.Analysis.Stages)-1].Agreement = &result.Agreement{BlockRatio: &result.Check{Predicted: 0.35, Observed: 0.352, Band: 0.05, Verdict: "agrees"}}
	var an bytes.Buffer
	if err := WriteAnalysis(&an, "r.json", r, r.Analysis, false); err != nil {
		t.Fatal(err)
	}
	if s := an.String(); !strings.Contains(s, "client side: 502s / responses") || !strings.Contains(s, "502 ratio") || strings.Contains(s, "503 ratio") {
		t.Errorf("analysis text names the 503 ratio:\n%s", s)
	}
	q := 9
	if s := SheddingSummary(&result.Shedding{Mechanism: "bounded-queue", Workers: 4, Queue: &q, Limit: 13, Statuses: []string{"502", "503", "429"}}); !strings.Contains(s, "502 at once when full") {
		t.Errorf("summary %q", s)
	}
}
