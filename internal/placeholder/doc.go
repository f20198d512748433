// Package placeholder compiles request text with placeholders — `{{NAME}}`
// in a URL, a header value or a body — once, at the start of a run, into
// segments that Append renders per arrival without parsing and without
// allocating (docs/profile.md, "Placeholders").
//
// A placeholder is one of
//
//   - {{seq}}: the arrival's 0-based index in the whole plan (so shards of
//     one plan never render the same value twice);
//   - {{attempt}}: which attempt of the arrival's request is sent, 0 for
//     the first and n for the n-th retry (client retries, issue #17); every
//     other placeholder renders the same for all attempts of an arrival;
//   - {{uuid}}: a version-4 UUID, one per arrival (the same wherever it
//     appears in that arrival's request);
//   - {{rand_int A B}}: a whole number in [A, B], each occurrence its own
//     draw;
//   - {{COLUMN}}: a column of the run's data file (the row is chosen by the
//     caller, see internal/mix).
//
// `\{{` is a literal `{{`; any other backslash is itself. Spaces inside the
// braces are ignored.
//
// Randomness is counter-based: every random value is a pure function of
// (seed, stream, seq) — Draw, two SplitMix64 rounds — never of a shared
// generator's state, so a shard renders for its arrivals exactly what the
// whole plan would, whatever order or goroutine renders them.
//
// Errors are plain messages without a place; the caller names the file and
// line (or the flag) the text came from.
package placeholder
