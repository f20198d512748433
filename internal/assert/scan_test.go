package assert

import (
	"strings"
	"testing"
	"time"
)

// diffForm is a form like compare's: a signed value, no window scopes.
var diffForm = Form{Value: "±VALUE", Example: "p99 < +10%", NoWindows: "no window scopes here"}

// TestScan: the parts of a gate, with the value left as written (a unit
// apart joined on) for the grammar built on Scan to read.
func TestScan(t *testing.T) {
	for _, tt := range []struct {
		in   string
		f    Form
		want Clause
	}{
		{"p99 < 250ms", GateForm, Clause{Metric: "p99", Kind: TimeMetric, Op: "<", Value: "250ms"}},
		{"P99<=250 ms IN stage2", GateForm, Clause{Metric: "p99", Kind: TimeMetric, Op: "<=", Value: "250ms", Scope: Scope{Kind: Stage, Stage: 2}}},
		{"ratio( 5XX ) ≥ +0.5 pp in each stages", diffForm, Clause{Metric: "ratio(5xx)", Kind: RatioMetric, Op: ">=", Value: "+0.5pp", Scope: Scope{Kind: EachStage}}},
		{"rps > -5% in run", diffForm, Clause{Metric: "rps", Kind: RateMetric, Op: ">", Value: "-5%"}},
		{"2xx.p99 < 80ms in each 10s", GateForm, Clause{Metric: "2xx.p99", Kind: TimeMetric, Op: "<", Value: "80ms", Scope: Scope{Kind: EachWindow, Window: 10 * time.Second}}},
	} {
		got, err := Scan(tt.in, tt.f)
		if err != nil {
			t.Errorf("Scan(%q): %v", tt.in, err)
			continue
		}
		got.Raw, got.m = "", metric{}
		if got != tt.want {
			t.Errorf("Scan(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// TestScanErrors: the errors name the form's value and scopes.
func TestScanErrors(t *testing.T) {
	for _, tt := range []struct {
		in   string
		f    Form
		want string
	}{
		{"", diffForm, "want METRIC OP ±VALUE [in SCOPE], like p99 < +10%"},
		{"p99", GateForm, "no comparison; want METRIC OP VALUE, like p99 < 250ms"},
		{"p99 < +10% in", diffForm, `missing scope after "in"; want run, stage N or each stage`},
		{"p99 < 1s in", GateForm, `missing scope after "in"; want run, stage N, each stage or each 10s`},
		{"p99 < +10% in each 10s", diffForm, `scope "each 10s": no window scopes here`},
		{"p99 < +10% in bogus", diffForm, `unknown scope "bogus"; want run, stage N or each stage`},
		{"p99 < +10% each stage", diffForm, `unexpected "each" after the value`},
		{"p99 < 1s in stage 0", GateForm, "want a stage number from 1"},
		{"p99 << 1s", GateForm, `unknown operator "<<"`},
	} {
		_, err := Scan(tt.in, tt.f)
		if _, ok := err.(*ParseError); !ok || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Scan(%q) error %v, want a *ParseError containing %q", tt.in, err, tt.want)
		}
	}
}

// TestCheck: one gate on one stage, whatever its scope, with the verdict
// Evaluate gives for that stage.
func TestCheck(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		expr  string
		st    int // index into the stages; -1 for the Total
		scope string
		pass  bool
		note  string
	}{
		{"p99 < 1s", 0, "stage 1", true, ""},
		{"ratio(503) < 5%", 0, "stage 1", false, ""},
		{"2xx.p99 < 80ms in stage 3", 1, "stage 2", true, ""},
		{"ratio(timeout) <= 15%", -1, "run", true, ""},
		{"p99 < 1s", 2, "stage 3", false, noteNothingScheduled},
	} {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		st := &f.r.Total
		if tt.st >= 0 {
			st = &f.r.Stages[tt.st]
		}
		a, err := e.Check(st)
		if err != nil || a.Pass != tt.pass || a.Scope != tt.scope || a.Note != tt.note || a.Expr != tt.expr {
			t.Errorf("%q on %s = %+v, %v; want pass %v note %q", tt.expr, tt.scope, a, err, tt.pass, tt.note)
		}
		if tt.st >= 0 && tt.note == "" {
			want := eval(t, f.r, strings.SplitN(tt.expr, " in ", 2)[0]+" in stage "+tt.scope[len("stage "):])[0]
			if a.Observed != want.Observed {
				t.Errorf("%q: observed %v, Evaluate says %v", tt.expr, a.Observed, want.Observed)
			}
		}
	}
}
