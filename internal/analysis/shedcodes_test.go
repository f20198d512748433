package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// codeStages is a run of 5-second stages at the given rates, each stage
// answering its requests with 2xx in 10 ms on average but for the given
// counts of other statuses, answered in 100 µs on average (slow: 30 s).
func codeStages(rates []float64, other []map[string]int64, slow ...bool) *result.Result {
	r := &result.Result{}
	for i, rate := range rates {
		st := result.Stage{Index: i + 1, StartS: 5 * float64(i), EndS: 5 * float64(i+1), Status: map[string]int64{}}
		st.Sent = int64(rate * 5)
		st.Status["200"] = st.Sent
		var n int64
		for c, k := range other[i] {
			st.Status[c] += k
			st.Status["200"] -= k
			n += k
		}
		otherMean := 100e-6
		if len(slow) > 0 && slow[0] {
			otherMean = 30
		}
		ok := st.Status["200"]
		st.Latency2xx = result.Summary{Count: ok, Mean: 0.010}
		st.Latency = result.Summary{Count: st.Sent, Mean: (0.010*float64(ok) + otherMean*float64(n)) / float64(st.Sent)}
		r.Stages = append(r.Stages, st)
	}
	return r
}

// TestRecogniseShedCodes: another 5xx is counted as shed only when it
// behaved as shedding does (absent at the lowest load, present at the
// highest, rising with the load) and the server's 503s and 429s do not
// already say how it sheds; never 504, and never against the codes given.
func TestRecogniseShedCodes(t *testing.T) {
	rates := []float64{100, 200, 300, 400, 500}
	rising := func(code string) []map[string]int64 {
		return []map[string]int64{{}, {}, {code: 30}, {code: 300}, {code: 800}}
	}
	for _, tc := range []struct {
		name  string
		rates []float64
		other []map[string]int64
		given []string
		want  []string // the codes counted, nil: 503 and 429
	}{
		{"502 rising", rates, rising("502"), nil, []string{"502", "503", "429"}},
		{"500 rising", rates, rising("500"), nil, []string{"500", "503", "429"}},
		{"504 is a gateway's timeout", rates, rising("504"), nil, nil},
		{"a 4xx is the client's", rates, rising("404"), nil, nil},
		{"503s already shed", rates, []map[string]int64{{}, {}, {"502": 30, "503": 5}, {"502": 300, "503": 50}, {"502": 800, "503": 100}}, nil, nil},
		{"a fifth of the highest share at the lowest load", rates, []map[string]int64{{"502": 30}, {"502": 100}, {"502": 300}, {"502": 500}, {"502": 800}}, nil, []string{"502", "503", "429"}},
		{"a steady error rate from the lowest load", rates, []map[string]int64{{"502": 60}, {"502": 100}, {"502": 300}, {"502": 500}, {"502": 800}}, nil, nil},
		{"falling with the load", rates, []map[string]int64{{}, {"502": 800}, {"502": 300}, {"502": 30}, {"502": 20}}, nil, nil},
		{"too few to tell", rates, []map[string]int64{{}, {}, {}, {"502": 5}, {"502": 10}}, nil, nil},
		{"two stages cannot show a rise", rates[:2], []map[string]int64{{}, {"502": 500}}, nil, nil},
		{"given", rates, rising("502"), []string{"503"}, []string{"503"}},
		{"slow 502s are failures", rates, rising("502"), nil, nil},
		{"given, another", rates, rising("502"), []string{"500", "502"}, []string{"500", "502"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := recogniseShedCodes(codeStages(tc.rates, tc.other, strings.HasPrefix(tc.name, "slow")), tc.given)
			if got := s.nonDefault(); !slices.Equal(got, tc.want) {
				t.Fatalf("codes %v (counted %v), want %v", got, s.codes, tc.want)
			}
			if len(s.recognised) > 0 != strings.Contains(s.note, "counted as shed") || (tc.given != nil && s.note != "") {
				t.Errorf("recognised %v, note %q", s.recognised, s.note)
			}
		})
	}
}

// TestParseShedStatus: codes in 400–599, once each.
func TestParseShedStatus(t *testing.T) {
	for in, want := range map[string]string{
		"502,503,429": "[502 503 429]", " 502 , 503": "[502 503]", "599": "[599]",
		"200": "error", "5xx": "error", "0502": "error", "600": "error", "": "error", "502,502": "error",
	} {
		got, err := ParseShedStatus(in)
		s := fmt.Sprint(got)
		if err != nil {
			s = "error"
		}
		if s != want {
			t.Errorf("%q: %s (%v), want %s", in, s, err, want)
		}
	}
}

// nginx 1.22 in front of php-fpm 8.2 on a Unix socket (4 static workers,
// listen.backlog 8, a 10 ms exponential service), Poisson 100 → 600 rps:
// when the backlog is full nginx's connect fails at once and it answers
// 502. lighttpd 1.4 spawning 4 php-cgi children the same way answers 500,
// and nginx in front of gunicorn's 4 sync workers (a backlog of 8) 502.
// The analysis counts the 502s (500s) as shed and reads the bounded
// queue: c = 4 and K = 4 + the backlog's 8 + 1 (a Unix socket's accept
// queue admits one past its backlog), within their intervals, the shed
// ratios predicted. Told to count only 503 and 429 (--shed-status), it
// reads no bounded queue.
func TestRecordedPHPFPM(t *testing.T) {
	for _, tc := range []struct{ name, code string }{{"nginx-php-fpm.json", "502"}, {"lighttpd-php-cgi.json", "500"}, {"nginx-gunicorn.json", "502"}} {
		t.Run(tc.name, func(t *testing.T) {
			r, a := recorded(t, tc.name)
			sh := a.Shedding
			t.Logf("%s %.3g: c %d ± %.3g, K %d ± %.3g; statuses %v", sh.Mechanism, sh.Confidence, sh.Workers, sh.WorkersCI, sh.Limit, sh.LimitCI, sh.Statuses)
			if sh.Mechanism != mechBoundedQueue || !slices.Equal(sh.Statuses, []string{tc.code, "503", "429"}) || sh.Answer() != tc.code {
				t.Fatalf("shedding %s with statuses %v, want bounded-queue counting %s: %q", sh.Mechanism, sh.Statuses, tc.code, sh.Evidence)
			}
			if math.Abs(float64(sh.Workers)-4) > sh.WorkersCI || math.Abs(float64(sh.Limit)-13) > sh.LimitCI {
				t.Errorf("c = %d ± %.3g, K = %d ± %.3g: want 4 and 13 within", sh.Workers, sh.WorkersCI, sh.Limit, sh.LimitCI)
			}
			if !strings.HasPrefix(sh.Evidence[len(sh.Evidence)-1], tc.code+" counted as shed") {
				t.Errorf("evidence %q: want the %ss' line last", sh.Evidence, tc.code)
			}
			for _, s := range a.Stages {
				if b := s.Agreement.BlockRatio; b != nil && b.Agree != nil && !*b.Agree {
					t.Errorf("stage %d: the %s ratio disagrees: %s", s.Index, tc.code, s.Verdict)
				}
				if strings.Contains(s.Verdict, "503 ratio") {
					t.Errorf("stage %d verdict %q names the 503 ratio where %ss were shed", s.Index, s.Verdict, tc.code)
				}
			}
			noAgreesOff(t, a, 0.25)
			g := mustAnalyze(t, r, ModelSpec{ShedStatus: []string{"503", "429"}}).Shedding
			if g.Mechanism == mechBoundedQueue || g.Statuses != nil {
				t.Errorf("--shed-status 503,429: %s with statuses %v, want no bounded queue read from %ss counted as errors", g.Mechanism, g.Statuses, tc.code)
			}
		})
	}
}

// nginx 1.22 with max_conns=8 on its one upstream server (the built-in
// target, 64 workers, exp 5 ms), Poisson 800 → 2800 rps: with every
// upstream server at its max_conns nginx answers 502 at once, 3% of the
// lowest stage already (Erlang B with 8 slots at 4 busy). The 502s count
// as shed, and the limit reads as 8 in flight (a concurrency limit or a
// bounded queue, as nginx's limit_conn 8 with 503s does).
func TestRecordedNginxMaxConns(t *testing.T) {
	_, a := recorded(t, "nginx-max-conns.json")
	sh := a.Shedding
	t.Logf("%s %.3g: c %d, K %d ± %.3g; statuses %v", sh.Mechanism, sh.Confidence, sh.Workers, sh.Limit, sh.LimitCI, sh.Statuses)
	if sh.Mechanism != mechConcurrency && sh.Mechanism != mechBoundedQueue || sh.Answer() != "502" {
		t.Fatalf("shedding %s with statuses %v, want a limit of 8 shedding 502: %q", sh.Mechanism, sh.Statuses, sh.Evidence)
	}
	if math.Abs(float64(sh.Limit)-8) > sh.LimitCI {
		t.Errorf("K = %d ± %.3g, want 8 within", sh.Limit, sh.LimitCI)
	}
	noAgreesOff(t, a, 0.25)
}
