package capacity

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseOverload(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []float64
		err  string
	}{
		{"1.5,2,3", []float64{1.5, 2, 3}, ""},
		{" 2 , 4x ", []float64{2, 4}, ""},
		{"none", nil, ""},
		{"NONE", nil, ""},
		{"", nil, "want multiples"},
		{"1", nil, "above 1"},
		{"0.5,2", nil, "above 1"},
		{"2,2", nil, "twice"},
		{"101", nil, "at most 100"},
		{"two", nil, "not a number"},
		{"NaN", nil, "not a number"},
		{"2,,3", nil, "not a number"},
		{"1.1,1.2,1.3,1.4,1.5,1.6,1.7,1.8,1.9,2,3", nil, "at most 10"},
	} {
		got, err := ParseOverload(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseOverload(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseOverload(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// FuzzParseOverload: any input either parses into valid multiples that a
// Config accepts, or fails with one line; it never panics.
func FuzzParseOverload(f *testing.F) {
	for _, s := range []string{"1.5,2,3", "none", "", "2x", "1e309", "-1", "1.0000001", ",", "3,2,1.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseOverload(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		if len(got) > MaxOverloadProbes {
			t.Errorf("%q: %d multiples", s, len(got))
		}
		seen := map[float64]bool{}
		for _, m := range got {
			if !(m > 1 && m <= MaxOverload) || seen[m] {
				t.Errorf("%q: multiple %g", s, m)
			}
			seen[m] = true
		}
	})
}
