// Package numfmt is the one home of numbers written for people: every
// rendering (the run summary, the reports, the analysis table, compare's
// tables, size's recommendation, warnings) formats with it, so a number
// looks the same wherever it appears. Inputs are plain float64s in their
// SI unit — seconds, fractions (0.01 is 1%), requests per second — and the
// functions never fail: NaN and infinities have a spelling of their own.
//
// Styles, by where they are read:
//
//	measurements  Duration, Percent, SignedPercent, Rate, Int, Num:
//	              three significant digits, trailing zeros dropped ("12.3ms")
//	tables        Fixed3, FixedDuration, Change, PercentExact: three
//	              significant digits, trailing zeros kept ("1.50s"), for
//	              columns that line up (compare)
//	predictions   Seconds, Interval, Share, ShareInterval, Quantile: four
//	              significant digits for times, %g for percentages, "n/a"
//	              for NaN, "± half-width" (the capacity analysis, size)
//	settings      GoDuration: a Go duration, as flags take it ("1.449ms")
//
// Parsing numbers is not here: the gate grammar (internal/assert) owns it.
package numfmt
