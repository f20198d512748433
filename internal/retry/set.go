package retry

import (
	"fmt"
	"strconv"
	"strings"
)

// Error classes a Set can name, as the result's `errors` keys spell them.
const (
	ClassTimeout = "timeout"
	ClassReset   = "reset"
	ClassConnect = "connect"
)

// Forms lists what ParseSet reads, for messages.
const Forms = "status codes (503), classes (5xx), timeout, reset, connect"

// Set is which outcomes are retried: status codes, status classes (5xx) and
// transport error classes (timeout, reset, connect). The zero Set retries
// nothing.
type Set struct {
	codes   [10]uint64 // one bit per status code 0..639
	timeout bool
	reset   bool
	connect bool
}

// ParseSet reads a comma-separated list such as "503,429,5xx,timeout". An
// empty list or an unknown item is an error naming the item.
func ParseSet(s string) (Set, error) {
	var set Set
	if strings.TrimSpace(s) == "" {
		return set, fmt.Errorf("empty list: want %s", Forms)
	}
	for _, raw := range strings.Split(s, ",") {
		it := strings.ToLower(strings.TrimSpace(raw))
		switch {
		case it == ClassTimeout:
			set.timeout = true
		case it == ClassReset:
			set.reset = true
		case it == ClassConnect:
			set.connect = true
		case len(it) == 3 && it[1:] == "xx" && it[0] >= '1' && it[0] <= '5':
			c := int(it[0]-'0') * 100
			for n := c; n < c+100; n++ {
				set.add(n)
			}
		default:
			n, err := strconv.Atoi(it)
			if err != nil || n < 100 || n > 599 {
				return Set{}, fmt.Errorf("%q: want %s", strings.TrimSpace(raw), Forms)
			}
			set.add(n)
		}
	}
	return set, nil
}

func (s *Set) add(code int) { s.codes[code/64] |= 1 << (code % 64) }

// Empty reports whether the set retries nothing.
func (s Set) Empty() bool {
	return s == Set{}
}

// Status reports whether a response with this status code is retried.
// Codes outside 0..639 are never retried.
func (s Set) Status(code int) bool {
	return code >= 0 && code < 640 && s.codes[code/64]&(1<<(code%64)) != 0
}

// Error reports whether a transport error of this class (as openloop
// classifies it: timeout, reset, connect, other, canceled) is retried.
// "canceled" (the generator abandoned the request) and "other" never are.
func (s Set) Error(class string) bool {
	switch class {
	case ClassTimeout:
		return s.timeout
	case ClassReset:
		return s.reset
	case ClassConnect:
		return s.connect
	}
	return false
}

// String writes the set back in ParseSet's form: classes first where a
// whole class is set, then single codes ascending, then error classes.
func (s Set) String() string {
	var parts []string
	for c := 1; c <= 5; c++ {
		whole := true
		for n := c * 100; n < c*100+100 && whole; n++ {
			whole = s.Status(n)
		}
		if whole {
			parts = append(parts, strconv.Itoa(c)+"xx")
			continue
		}
		for n := c * 100; n < c*100+100; n++ {
			if s.Status(n) {
				parts = append(parts, strconv.Itoa(n))
			}
		}
	}
	for _, e := range []struct {
		on   bool
		name string
	}{{s.timeout, ClassTimeout}, {s.reset, ClassReset}, {s.connect, ClassConnect}} {
		if e.on {
			parts = append(parts, e.name)
		}
	}
	return strings.Join(parts, ",")
}
