package result

import (
	"strconv"
	"strings"
)

// Count returns how many of the stage's scheduled requests fall in class:
// a status code ("503"), a status class ("5xx", "2xx"), "errors" (every
// transport error), an error class ("timeout"), or "not_sent".
// ok is false for an unknown class.
func Count(status, errors map[string]int64, notSent int64, class string) (n int64, ok bool) {
	switch {
	case class == "not_sent":
		return notSent, true
	case class == "errors":
		for _, v := range errors {
			n += v
		}
		return n, true
	case len(class) == 3 && class[1:] == "xx" && class[0] >= '1' && class[0] <= '5':
		for k, v := range status {
			if len(k) == 3 && k[0] == class[0] {
				n += v
			}
		}
		return n, true
	}
	if code, err := strconv.Atoi(class); err == nil && code >= 100 && code <= 599 {
		return status[class], true
	}
	for _, c := range ErrorClasses {
		if strings.EqualFold(c, class) {
			return errors[c], true
		}
	}
	return 0, false
}

// Ratio is Count(class) / Scheduled for a stage (0 when nothing was scheduled).
func (s *Stage) Ratio(class string) (float64, bool) {
	n, ok := Count(s.Status, s.Errors, s.NotSent, class)
	if !ok || s.Scheduled == 0 {
		return 0, ok
	}
	return float64(n) / float64(s.Scheduled), true
}

// Responses is the number of requests that got an HTTP response.
func (s *Stage) Responses() int64 {
	var n int64
	for _, v := range s.Status {
		n += v
	}
	return n
}

// ErrorCount is the number of requests that ended in a transport error.
func (s *Stage) ErrorCount() int64 {
	n, _ := Count(nil, s.Errors, 0, "errors")
	return n
}

// LengthS is the stage's wall-clock length in seconds.
func (s *Stage) LengthS() float64 { return s.EndS - s.StartS }

// Conserved reports whether every scheduled request is accounted for:
// Scheduled = Sent + NotSent and Sent = Completed = responses + errors.
func (s *Stage) Conserved() bool {
	return s.Scheduled == s.Sent+s.NotSent && s.Sent == s.Completed &&
		s.Completed == s.Responses()+s.ErrorCount()
}

// TurnedAway is how many of the stage's scheduled requests got no 2xx
// answer (a non-2xx status or a transport error), the generator's own
// not_sent apart: what a target past its capacity turned away.
func (s *Stage) TurnedAway() int64 {
	n2xx, _ := Count(s.Status, nil, 0, "2xx")
	return s.Scheduled - s.NotSent - n2xx
}

// StageNames are r's stage names, in order.
func (r *Result) StageNames() []string {
	out := make([]string, len(r.Stages))
	for i := range r.Stages {
		out[i] = r.Stages[i].Name
	}
	return out
}
