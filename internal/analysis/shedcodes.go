package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// defaultShed are the status codes counted as shed unless the spec names
// others: 503 and a rate limit's 429.
var defaultShed = []string{"503", "429"}

// shedCodes is the set of status codes the analysis counts as shed
// responses (the block ratio's numerator), and why.
type shedCodes struct {
	codes []string // counted as shed
	// recognised are the codes beyond defaultShed that the result showed
	// to be shedding (recogniseShedCodes), note the evidence line saying so.
	recognised []string
	note       string
	given      bool // the spec named the codes
}

// count is the shed responses among status.
func (s *shedCodes) count(status map[string]int64) int64 {
	var n int64
	for _, c := range s.codes {
		n += status[c]
	}
	return n
}

// label names the shed answers among status: "503", "503/429" when
// there were 429s, or the codes counted ("503/429/502") when they are
// not the default.
func (s *shedCodes) label(status map[string]int64) string {
	if s.nonDefault() != nil {
		return strings.Join(s.codes, "/")
	}
	if status["429"] > 0 {
		return "503/429"
	}
	return "503"
}

// ratioName names the block ratio in verdicts: "503 ratio", or the first
// code's when the codes are not the default ("502 ratio").
func (s *shedCodes) ratioName() string {
	if c := s.nonDefault(); c != nil {
		return c[0] + " ratio"
	}
	return "503 ratio"
}

// nonDefault is the codes when they are not 503 and 429 (nil otherwise),
// for analysis.shedding.statuses.
func (s *shedCodes) nonDefault() []string {
	if slices.Equal(s.codes, defaultShed) {
		return nil
	}
	return s.codes
}

// ParseShedStatus reads a list of status codes such as "502,503,429":
// each in 400–599, none twice.
func ParseShedStatus(v string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || len(f) != 3 || n < 400 || n > 599 {
			return nil, fmt.Errorf("%q: want status codes in 400–599, such as 502,503,429", f)
		}
		if slices.Contains(out, f) {
			return nil, fmt.Errorf("%s given twice", f)
		}
		out = append(out, f)
	}
	return out, nil
}

// Thresholds of recogniseShedCodes.
const (
	shedCodeMin      = 20    // responses of the code, whole run
	shedCodeLowShare = 0.001 // its share at the lowest load may be this, or a fifth of the highest's
	shedCodeTopShare = 0.01  // its least at the highest load
	shedCodeConcord  = 0.8   // the least share of stage pairs whose shares rise with the load
)

// recogniseShedCodes is the codes counted as shed: the spec's when it
// names them, else 503 and 429 and each 5xx code (not 504, a gateway's
// timeout) that behaved as shedding does when none of those two did:
// rare at the lowest load (at most 0.1%, or a fifth of its share at the
// highest), present at the highest, its share rising with the offered
// load, and fast (the highest stage's other answers quicker on average
// than its 2xx: a slow 5xx is a failure, not a refusal). nginx in front
// of php-fpm, uWSGI or gunicorn on a Unix socket answers 502 at once when
// the upstream's listen backlog is full, and when every upstream server is
// at its max_conns: that is shedding, and reading it as errors would call
// the server unbounded.
func recogniseShedCodes(r *result.Result, given []string) *shedCodes {
	if given != nil {
		return &shedCodes{codes: given, given: true}
	}
	s := &shedCodes{codes: slices.Clone(defaultShed)}
	total := map[string]int64{}
	for i := range r.Stages {
		for c, n := range r.Stages[i].Status {
			total[c] += n
		}
	}
	var dflt int64
	for _, c := range defaultShed {
		dflt += total[c]
	}
	type stage struct {
		rate      float64
		responses int64
		status    map[string]int64
		st        *result.Stage
	}
	var stages []stage
	for i := range r.Stages {
		st := &r.Stages[i]
		tau := st.LengthS()
		if n := st.Responses(); n >= minP99Batch && tau > 0 && !math.IsInf(tau, 0) {
			stages = append(stages, stage{float64(st.Sent) / tau, n, st.Status, st})
		}
	}
	if len(stages) < 3 {
		return s
	}
	slices.SortStableFunc(stages, func(a, b stage) int { return cmp.Compare(a.rate, b.rate) })
	codes := make([]string, 0, len(total))
	for c := range total {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		if len(c) != 3 || c[0] != '5' || c == "504" || slices.Contains(defaultShed, c) || total[c] < shedCodeMin || dflt*10 > total[c] {
			continue
		}
		share := func(x stage) float64 { return float64(x.status[c]) / float64(x.responses) }
		low, top := stages[0], stages[len(stages)-1]
		if share(low) > max(shedCodeLowShare, share(top)/5) || share(top) < shedCodeTopShare || !fastOthers(top.st) {
			continue
		}
		var pairs, rising int
		for i := range stages {
			for j := i + 1; j < len(stages); j++ {
				if a, b := share(stages[i]), share(stages[j]); a != b {
					pairs++
					if b > a {
						rising++
					}
				}
			}
		}
		if pairs == 0 || float64(rising) < shedCodeConcord*float64(pairs) {
			continue
		}
		s.recognised = append(s.recognised, c)
		why := "fast answers that rise with the load are refusals, not failures"
		if c == "502" {
			why = "nginx answers 502 at once when its upstream is full (php-fpm's, uWSGI's or gunicorn's listen backlog on a Unix socket, or every upstream server at its max_conns)"
		}
		s.note += fmt.Sprintf("%s counted as shed: %s of the responses at %s/s, rising with the load to %s at %s/s (%d of %d stage pairs), faster than the 2xx; %s. --shed-status 503,429 counts them as errors. ",
			c, numfmt.Percent(share(low)), numfmt.Rate(low.rate), numfmt.Percent(share(top)), numfmt.Rate(top.rate), rising, pairs, why)
	}
	s.note = strings.TrimSpace(s.note)
	s.codes = append(slices.Clone(s.recognised), defaultShed...) // the recognised first: they name the answers (Shedding.Answer)
	return s
}

// annotate records the codes counted as shed in sh when they are not
// the default, and the evidence that recognised any.
func (s *shedCodes) annotate(sh *result.Shedding) {
	if sh == nil {
		return
	}
	sh.Statuses = s.nonDefault()
	if s.note != "" {
		sh.Evidence = append(sh.Evidence, s.note)
	}
}

// fastOthers reports whether st's answers other than 2xx came back
// quicker on average than its 2xx.
func fastOthers(st *result.Stage) bool {
	all, ok := st.Latency, st.Latency2xx
	n := all.Count - ok.Count
	if n <= 0 || ok.Count == 0 {
		return false
	}
	return (all.Mean*float64(all.Count)-ok.Mean*float64(ok.Count))/float64(n) < ok.Mean
}

// uncounted says how to count the most frequent 5xx that was not counted
// as shed, when it was at least 1% of the responses (and 20): a server
// may shed with it in a run too short, or with too few stages, for
// recogniseShedCodes to tell. "" when there is none.
func (s *shedCodes) uncounted(r *result.Result, responses int64) string {
	total := map[string]int64{}
	for i := range r.Stages {
		for c, n := range r.Stages[i].Status {
			total[c] += n
		}
	}
	best, most := "", int64(0)
	for c, n := range total {
		if len(c) == 3 && c[0] == '5' && !slices.Contains(s.codes, c) && (n > most || n == most && c < best) {
			best, most = c, n
		}
	}
	if most < shedCodeMin || float64(most) < shedCodeTopShare*float64(responses) {
		return ""
	}
	nginx := ""
	if best == "502" {
		nginx = " (nginx does when its upstream is full)"
	}
	return fmt.Sprintf("%s of the responses were %s, not counted as shed; if the target answers %s when it sheds%s, --shed-status %s counts them",
		numfmt.Int(most), best, best, nginx, strings.Join(append([]string{best}, s.codes...), ","))
}

// present names the shed codes that status holds: "502", "503/429"
// (label when none).
func (s *shedCodes) present(status map[string]int64) string {
	var in []string
	for _, c := range s.codes {
		if status[c] > 0 {
			in = append(in, c)
		}
	}
	if len(in) == 0 {
		return s.label(status)
	}
	return strings.Join(in, "/")
}

// isShed reports whether the status code is counted as shed.
func (s *shedCodes) isShed(code string) bool { return slices.Contains(s.codes, code) }
