// Package units formats quantities for people — durations in seconds,
// fractions as percentages, rates, counts — the same way in every
// rendering (the summary, the reports, the analysis table), and moves a
// decimal point exactly for the gate grammars ("1.5%" is 0.015, not
// 0.015000000000000001).
package units
