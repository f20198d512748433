package openloop

import (
	"strconv"

	"github.com/bploadgen/bploadgen/internal/result"
)

// A request's level is how many of this process's requests were in flight
// (sent, not yet done) when it was sent, as the recorder heard of them.
// Recorded by status, per stage, it tells how a target sheds: one that
// refuses what exceeds a limit on requests in flight (a bounded queue, a
// connection limit) refuses only at high levels, above those of the
// requests it took; one that refuses what exceeds a rate (a token bucket)
// refuses at any level. The analysis weighs it (internal/analysis).

// maxLevel is the highest level counted on its own; higher ones count as
// maxLevel (result.Stage.InFlightAtSend's last element).
const maxLevel = result.MaxLevel

// addLevel counts n responses of status code sent at level.
func (a *acc) addLevel(code int, level int32, n int64) {
	if a.levels == nil {
		a.levels = make(map[int][]int64, 4)
	}
	l := a.levels[code]
	if int(level) >= len(l) {
		l = append(l, make([]int64, int(level)+1-len(l))...)
		a.levels[code] = l
	}
	l[level] += n
}

// addLevels adds b's counts into a (a stage's into the total).
func (a *acc) addLevels(b *acc) {
	for code, l := range b.levels {
		for level, n := range l {
			if n > 0 {
				a.addLevel(code, int32(level), n)
			}
		}
	}
}

// levelMap is a's counts for the result, by status code.
func levelMap(m map[int][]int64) map[string][]int64 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string][]int64, len(m))
	for code, l := range m {
		out[strconv.Itoa(code)] = append([]int64(nil), l...)
	}
	return out
}
