package replay

import (
	"fmt"
	"hash/maphash"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Formats of --replay-format.
const (
	FormatJSON     = "json"
	FormatCombined = "combined"
)

// Log is a parsed request log, its arrivals in time order.
type Log struct {
	// Times are the arrivals' offsets from the first one, non-decreasing
	// (at speed 1 until Scale).
	Times []time.Duration
	// Index is, per arrival, its request's index in Requests.
	Index []uint32
	// Requests are the distinct requests, in the order first seen, each
	// named "METHOD path" with weight 1 and literal texts.
	Requests []profile.Request
	// Skipped counts lines that carried no request (a combined log's "-"
	// or unreadable request line), for a warning.
	Skipped int

	abs   []int64 // while parsing: absolute times, ns
	seen  map[uint64][]uint32
	seed  maphash.Seed
	bodyd map[string]string // bodies interned
}

func newLog() *Log {
	return &Log{seen: map[uint64][]uint32{}, seed: maphash.MakeSeed(), bodyd: map[string]string{}}
}

// add records one arrival at absolute time ns (Unix nanoseconds) of the
// request r, deduplicated.
func (l *Log) add(ns int64, r profile.Request) error {
	if len(l.abs) >= schedule.MaxExplicit {
		return fmt.Errorf("more than %d requests", schedule.MaxExplicit)
	}
	var h maphash.Hash
	h.SetSeed(l.seed)
	h.WriteString(r.Method)
	h.WriteByte(0)
	h.WriteString(r.URL)
	for _, x := range r.Headers {
		h.WriteByte(0)
		h.WriteString(x.Name)
		h.WriteByte(':')
		h.WriteString(x.Value)
	}
	h.WriteByte(1)
	h.WriteString(r.Body)
	key := h.Sum64()
	idx := uint32(len(l.Requests))
	found := false
	for _, i := range l.seen[key] {
		if same(&l.Requests[i], &r) {
			idx, found = i, true
			break
		}
	}
	if !found {
		if b, ok := l.bodyd[r.Body]; ok {
			r.Body = b
		} else if r.Body != "" {
			l.bodyd[r.Body] = r.Body
		}
		r.Name, r.Weight = profile.DefaultName(r.Method, r.URL), 1
		l.Requests = append(l.Requests, r)
		l.seen[key] = append(l.seen[key], idx)
	}
	l.abs = append(l.abs, ns)
	l.Index = append(l.Index, idx)
	return nil
}

func same(a, b *profile.Request) bool {
	if a.Method != b.Method || a.URL != b.URL || a.Body != b.Body || len(a.Headers) != len(b.Headers) {
		return false
	}
	for i := range a.Headers {
		if a.Headers[i] != b.Headers[i] {
			return false
		}
	}
	return true
}

// finish sorts the arrivals by time (stably: lines of one time keep their
// order) and makes the times offsets from the first.
func (l *Log) finish(name string) (*Log, error) {
	if len(l.abs) == 0 {
		return nil, fmt.Errorf("%s: no requests", name)
	}
	if !sort.SliceIsSorted(l.abs, func(i, j int) bool { return l.abs[i] < l.abs[j] }) {
		sort.Stable(byTime{l})
	}
	t0 := l.abs[0]
	l.Times = make([]time.Duration, len(l.abs))
	for i, t := range l.abs {
		d := t - t0
		if d < 0 || time.Duration(d) > profile.MaxDuration {
			return nil, fmt.Errorf("%s: the log spans more than %s", name, profile.MaxDuration)
		}
		l.Times[i] = time.Duration(d)
	}
	l.abs, l.seen, l.bodyd = nil, nil, nil
	return l, nil
}

type byTime struct{ l *Log }

func (b byTime) Len() int           { return len(b.l.abs) }
func (b byTime) Less(i, j int) bool { return b.l.abs[i] < b.l.abs[j] }
func (b byTime) Swap(i, j int) {
	b.l.abs[i], b.l.abs[j] = b.l.abs[j], b.l.abs[i]
	b.l.Index[i], b.l.Index[j] = b.l.Index[j], b.l.Index[i]
}

// Scale divides every offset by speed (> 0: 2 replays twice as fast), in
// place; the replay must stay within profile.MaxDuration.
func (l *Log) Scale(speed float64) error {
	if !(speed > 0) || math.IsInf(speed, 0) {
		return fmt.Errorf("the replay speed must be > 0")
	}
	last := l.Times[len(l.Times)-1]
	if float64(last)/speed > float64(profile.MaxDuration) {
		return fmt.Errorf("the replay would last %s at speed %g, more than %s", time.Duration(float64(last)/speed).Round(time.Second), speed, profile.MaxDuration)
	}
	if speed == 1 {
		return nil
	}
	for i, t := range l.Times {
		l.Times[i] = time.Duration(math.Round(float64(t) / speed))
	}
	return nil
}

// Schedule is the explicit schedule of the log's arrivals with stages of
// length stage (of the replay's own time, after Scale).
func (l *Log) Schedule(stage time.Duration, shard schedule.Shard) (*schedule.Schedule, error) {
	return schedule.NewExplicit(l.Times, stage, shard)
}

func clip(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
