package result

import (
	"strings"
	"testing"
)

func TestRequestNames(t *testing.T) {
	s := Stage{ByRequest: map[string]*RequestStats{
		"other": {Scheduled: 900}, "b": {Scheduled: 5}, "a": {Scheduled: 5}, "home": {Scheduled: 70},
	}}
	if got := strings.Join(s.RequestNames(), ","); got != "home,a,b,other" {
		t.Errorf("RequestNames = %s", got)
	}
}

func TestAsStage(t *testing.T) {
	q := &RequestStats{Scheduled: 3, Sent: 3, Completed: 3, Status: map[string]int64{"200": 2}, Errors: map[string]int64{"timeout": 1},
		HDR: RequestHDR{Latency: "L"}}
	st := q.AsStage(&Stage{Index: 2, Name: "s", StartS: 1, EndS: 3})
	if st.Index != 2 || st.Name != "s" || st.LengthS() != 2 || st.HDR.Latency != "L" || !st.Conserved() || !q.Conserved() {
		t.Errorf("AsStage = %+v", st)
	}
	if back := st.AsRequest(); back.Scheduled != 3 || back.HDR.Latency != "L" || back.Errors["timeout"] != 1 {
		t.Errorf("AsRequest = %+v", back)
	}
	q.Completed = 2
	if q.Conserved() {
		t.Error("Conserved with a lost request")
	}
}
