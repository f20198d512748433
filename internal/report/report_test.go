package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/bploadgen/bploadgen/internal/golden"
	"github.com/bploadgen/bploadgen/internal/result"
)

const fixturePath = "testdata/result-step.json"

// loadFixture reads the step-profile result every golden is rendered from.
// With -update it is first regenerated from stepFixture.
func loadFixture(t testing.TB) *result.Result {
	t.Helper()
	r, err := result.ReadFile(fixturePath)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return r
}

func TestMain(m *testing.M) {
	flag.Parse()
	if golden.Updating() { // -update also regenerates the fixture
		if err := result.WriteFile(fixturePath, stepFixture()); err != nil {
			panic(err)
		}
		if err := result.WriteFile(mixFixturePath, mixFixture()); err != nil {
			panic(err)
		}
		if err := result.WriteFile(retryFixturePath, retryFixture()); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// checkGolden compares got with testdata/golden/name (-update rewrites it).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), got)
}

// renderers lists every file rendering, by golden file suffix.
var renderers = []struct {
	ext    string
	render func(w *bytes.Buffer, r *result.Result) error
}{
	{"html", func(w *bytes.Buffer, r *result.Result) error { return WriteHTML(w, r) }},
	{"junit.xml", func(w *bytes.Buffer, r *result.Result) error { return WriteJUnit(w, r) }},
	{"md", func(w *bytes.Buffer, r *result.Result) error { return WriteMarkdown(w, r) }},
	{"csv", func(w *bytes.Buffer, r *result.Result) error { return WriteCSV(w, r) }},
	{"hlog", func(w *bytes.Buffer, r *result.Result) error { return WriteHLog(w, r) }},
}

func TestGolden(t *testing.T) {
	r := loadFixture(t)
	for _, rd := range renderers {
		t.Run(rd.ext, func(t *testing.T) {
			var b bytes.Buffer
			if err := rd.render(&b, r); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "result-step."+rd.ext, b.Bytes())
		})
	}
	t.Run("outline", func(t *testing.T) {
		var b bytes.Buffer
		if err := WriteHTML(&b, r); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "result-step.outline.txt", []byte(htmlOutline(b.String())))
	})
}

// TestPure checks that every rendering is a function of the result alone:
// the same bytes twice, and the same bytes after a JSON round trip.
func TestPure(t *testing.T) {
	r := loadFixture(t)
	var js bytes.Buffer
	if err := result.Write(&js, r); err != nil {
		t.Fatal(err)
	}
	r2, err := result.Read(&js)
	if err != nil {
		t.Fatal(err)
	}
	for _, rd := range renderers {
		var a, b, c bytes.Buffer
		if err := rd.render(&a, r); err != nil {
			t.Fatal(err)
		}
		if err := rd.render(&b, r); err != nil {
			t.Fatal(err)
		}
		if err := rd.render(&c, r2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) || !bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Errorf("%s: rendering the same result twice gave different bytes", rd.ext)
		}
	}
}

// TestFixtureConsistent checks the generated fixture obeys the result
// invariants, so the goldens show a believable run.
func TestFixtureConsistent(t *testing.T) {
	r := stepFixture()
	for i := range r.Stages {
		s := &r.Stages[i]
		if !s.Conserved() {
			t.Errorf("stage %d is not conserved: %+v", s.Index, s)
		}
		if s.Latency.Count != s.Responses() {
			t.Errorf("stage %d: %d latencies for %d responses", s.Index, s.Latency.Count, s.Responses())
		}
	}
	if !r.Total.Conserved() {
		t.Errorf("total not conserved")
	}
	var sched int64
	for _, w := range r.Timeline {
		sched += w.Scheduled
	}
	if sched != r.Total.Scheduled {
		t.Errorf("timeline schedules %d, total %d", sched, r.Total.Scheduled)
	}
	for _, sa := range r.Analysis.Stages {
		if d := sa.Little.Ratio - 1; d > 0.02 || d < -0.02 {
			t.Errorf("stage %d: Little ratio %.4f", sa.Index, sa.Little.Ratio)
		}
	}
	if r.Analysis.Knee == nil || r.Analysis.Knee.Stage < 3 || r.Analysis.Knee.Stage > 5 {
		t.Errorf("knee = %+v, want a stage near 800 rps", r.Analysis.Knee)
	}
	pass, fail := assertionCounts(r.Assertions)
	if pass == 0 || fail == 0 {
		t.Errorf("fixture assertions: %d pass, %d fail; want both", pass, fail)
	}
}
