// Command mutate shows that bploadgen's tests guard its claims: for each
// mutation listed in scripts/mutations/*.txt it changes one small piece of
// code, named by the function it lives in (not a line number), in a
// temporary copy of the repository, runs the named packages' tests as CI
// does (go test -race -count=1), and reports KILLED when they fail and
// SURVIVED when they pass. It exits 1 if any mutation survived, could not
// be applied, or did not compile, and 2 on bad input.
//
//	go run ./scripts/mutate                      # every list, every mutation
//	go run ./scripts/mutate -run 'merge|mmck'    # mutations whose name matches
//	go run ./scripts/mutate -check               # parse and apply only, run nothing
//	go run ./scripts/mutate scripts/mutations/claims.txt
//
// It is slow (a test run per mutation, plus one unmutated run per package
// pattern to show the tests pass without the mutation), so CI does not run
// it; its unit tests check that every listed mutation still applies.
//
// # The list format
//
// Blocks separated by blank lines; lines starting with # are comments, and
// so is the rest of a line from a " # " (whitespace, #, whitespace), so
// from and to cannot contain one. Each block has these keys:
//
//	name:  latency-from-intended        unique, kebab-case
//	claim: Latency is measured from the intended send time
//	                                    verbatim in docs/claims.md
//	file:  internal/openloop/recorder.go
//	func:  recorder.done                Func, or Type.Method (receiver without *)
//	from:  e - a.At                     occurs exactly once inside that function
//	to:    e - s                        its replacement (may be empty)
//	test:  ./internal/openloop/         go test package pattern(s), space-separated,
//	                                    expected to FAIL with the mutation
package main
