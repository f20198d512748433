package queueing

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// checkRel fails unless |got − want| ≤ rel·|want|.
func checkRel(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	if !(math.Abs(got-want) <= rel*math.Abs(want)) {
		t.Errorf("%s = %.12g, want %.12g (relative error %.3g > %.3g)", name, got, want, math.Abs(got-want)/math.Abs(want), rel)
	}
}

// checkAbs fails unless |got − want| ≤ tol.
func checkAbs(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.12g, want %.12g ± %.3g", name, got, want, tol)
	}
}

// checkPrinted compares got with a value printed (rounded) on the formula
// sheet (docs/queueing.md), at the precision printed: |got − want| ≤ half a
// unit in the last printed digit, the most that rounding can account for.
// scale converts got to the printed unit (1000 for milliseconds).
func checkPrinted(t *testing.T, name string, got, scale float64, want string) {
	t.Helper()
	w, err := strconv.ParseFloat(want, 64)
	if err != nil {
		t.Fatalf("%s: bad printed value %q", name, want)
	}
	decimals := 0
	if i := strings.IndexByte(want, '.'); i >= 0 {
		decimals = len(want) - i - 1
	}
	tol := 0.5 * math.Pow(10, -float64(decimals))
	if g := got * scale; !(math.Abs(g-w) <= tol) {
		t.Errorf("%s = %.8g, sheet prints %s (tolerance ± %.2g at the printed precision)", name, g, want, tol)
	}
}
