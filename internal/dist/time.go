package dist

import (
	"fmt"
	"strings"
	"time"
)

// TimeForms lists the ways ParseTime reads, for messages.
const TimeForms = "10ms, or exp:10ms, det:10ms, lognormal:10ms,0.5"

// TimeError is a service time ParseTime could not read as a plain
// duration: not a positive Go duration.
type TimeError struct{ Value string } // as written, without surrounding space

func (e *TimeError) Error() string {
	return fmt.Sprintf("%q: want a positive duration like %s", e.Value, TimeForms)
}

// ParseTime reads a service time as the commands take it (--service-time):
// a distribution as Parse reads it ("exp:10ms", "lognormal:10ms,0.5"),
// which names the whole distribution (named true), or a plain positive
// duration ("10ms"), which gives only the mean (named false: d is then the
// exponential of that mean, and the caller chooses the family, e.g. with
// FromMeanSCV). named reports the form written even when err is not nil;
// a plain duration that does not parse is a *TimeError. It never panics.
func ParseTime(s string) (d Dist, named bool, err error) {
	if strings.Contains(s, ":") {
		d, err = Parse(s)
		return d, true, err
	}
	v := strings.TrimSpace(s)
	m, perr := time.ParseDuration(v)
	if perr != nil || m <= 0 {
		return Dist{}, false, &TimeError{Value: v}
	}
	return Dist{Kind: Exponential, Mean: m.Seconds()}, false, nil
}
