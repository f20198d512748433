// Package units formats quantities for people — durations in seconds,
// fractions as percentages, rates, counts — the same way in every
// rendering (the summary, the reports, the analysis table).
package units
