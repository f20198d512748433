package retry

import (
	"net/http"
	"strings"
	"time"
)

// maxRetryAfter bounds what ParseRetryAfter returns, so a hostile value
// ("99999999999999999999") can neither overflow a Duration nor park a
// request for years; Policy.Delay caps it further at RetryAfterMax.
const maxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After value (RFC 9110 §10.2.3): delay-seconds
// (one or more digits) or an HTTP date (the three forms http.ParseTime
// reads), the date taken relative to now, the moment the response arrived in
// wall-clock time. A date in the past is 0. ok is false for anything else
// (empty, negative, fractional, garbage): the caller then treats the
// response as having no Retry-After. The result is at most 24 h. It never
// panics.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		var secs int64
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			if secs < int64(maxRetryAfter/time.Second) {
				secs = secs*10 + int64(c-'0')
			}
		}
		return min(time.Duration(secs)*time.Second, maxRetryAfter), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = t.Sub(now)
	if d < 0 {
		d = 0
	}
	return min(d, maxRetryAfter), true
}
