package report

import (
	"math"
)

// scale maps a data value to a coordinate.
type scale interface {
	pos(v float64) float64
	ok(v float64) bool // whether v can be drawn at all (log scales refuse v <= 0)
}

// linScale maps [d0, d1] linearly onto [r0, r1].
type linScale struct{ d0, d1, r0, r1 float64 }

func (s linScale) pos(v float64) float64 {
	if s.d1 == s.d0 {
		return s.r0
	}
	return s.r0 + (v-s.d0)/(s.d1-s.d0)*(s.r1-s.r0)
}

func (s linScale) ok(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// logScale maps [d0, d1] (both > 0) onto [r0, r1] in log10 space.
type logScale struct{ d0, d1, r0, r1 float64 }

func (s logScale) pos(v float64) float64 {
	if v < s.d0 {
		v = s.d0
	}
	l0, l1 := math.Log10(s.d0), math.Log10(s.d1)
	if l1 == l0 {
		return s.r0
	}
	return s.r0 + (math.Log10(v)-l0)/(l1-l0)*(s.r1-s.r0)
}

func (s logScale) ok(v float64) bool { return v > 0 && !math.IsInf(v, 0) }

// tick is one axis tick: its value, label ("" for a minor tick).
type tick struct {
	V     float64
	Label string
	Major bool
}

// niceStep returns a step of 1, 2 or 5 times a power of ten that splits
// span into about n intervals.
func niceStep(span float64, n int) float64 {
	if span <= 0 || n <= 0 {
		return 1
	}
	raw := span / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	f := raw / p
	switch {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 5:
		return 5 * p
	}
	return 10 * p
}

// niceMax rounds hi up to a multiple of the step that splits [0, hi] into
// about n intervals, so the top of a linear axis carries a label.
func niceMax(hi float64, n int) float64 {
	if hi <= 0 || math.IsNaN(hi) || math.IsInf(hi, 0) {
		return 1
	}
	st := niceStep(hi, n)
	return math.Ceil(hi/st-1e-9) * st
}

// linTicks returns ticks at multiples of a nice step in [lo, hi].
func linTicks(lo, hi float64, n int, label func(float64) string) []tick {
	st := niceStep(hi-lo, n)
	var out []tick
	for i := math.Ceil(lo/st - 1e-9); ; i++ {
		v := i * st
		if v > hi+st*1e-9 {
			break
		}
		if math.Abs(v) < st*1e-9 {
			v = 0
		}
		out = append(out, tick{V: v, Label: label(v), Major: true})
		if len(out) > 50 {
			break
		}
	}
	return out
}

// logDomain widens [lo, hi] (both > 0) to 1, 2 or 5 times a power of ten
// at either end, spanning at least a factor of 5.
// The bounds stay within [logMin, logMax], so that widening them cannot
// overflow to infinity or underflow to zero (a hostile file's 1.7e308 s).
func logDomain(lo, hi float64) (float64, float64) {
	if !(lo > 0) || math.IsInf(lo, 0) {
		lo = 1e-3
	}
	if !(hi > 0) || math.IsInf(hi, 0) || hi < lo {
		hi = lo
	}
	lo, hi = min(max(lo, logMin), logMax), min(max(hi, logMin), logMax)
	d0, d1 := logFloor(lo), logCeil(hi)
	for i := 0; d1/d0 < 4.99; i++ {
		if i%2 == 0 {
			d1 = logCeil(d1 * 1.01)
		} else {
			d0 = logFloor(d0 * 0.99)
		}
	}
	return d0, d1
}

// logMin and logMax bound a log axis: 10^±300, twice widened, stays a
// finite positive number.
const logMin, logMax = 1e-300, 1e300

// logSteps are the mantissas a log axis may start or end at.
var logSteps = [...]float64{1, 2, 5, 10}

// logFloor is the largest 1, 2 or 5 × 10^k that is <= v.
func logFloor(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)+1e-9))
	out := p
	for _, m := range logSteps {
		if m*p <= v*(1+1e-9) {
			out = m * p
		}
	}
	return out
}

// logCeil is the smallest 1, 2 or 5 × 10^k that is >= v.
func logCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)-1e-9))
	for _, m := range logSteps {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// logTicks returns a tick at every 1..9 × 10^k in [d0, d1]. Decades and
// both ends are labelled; 2 and 5 are labelled too when the axis spans at
// most about two decades.
func logTicks(d0, d1 float64, label func(float64) string) []tick {
	if !(d0 > 0) || !(d1 >= d0) || math.IsInf(d1, 0) {
		return nil // not a domain logDomain returns
	}
	few := d1/d0 <= 300
	var out []tick
	for e := math.Floor(math.Log10(d0) + 1e-9); e <= math.Ceil(math.Log10(d1)-1e-9); e++ {
		base := math.Pow(10, e)
		for m := 1; m <= 9; m++ {
			v := base * float64(m)
			if v < d0*(1-1e-9) {
				continue
			}
			if v > d1*(1+1e-9) {
				break
			}
			end := math.Abs(v/d0-1) < 1e-9 || math.Abs(v/d1-1) < 1e-9
			t := tick{V: v, Major: m == 1}
			if m == 1 || end || (few && (m == 2 || m == 5)) {
				t.Label = label(v)
			}
			out = append(out, t)
		}
	}
	return out
}
