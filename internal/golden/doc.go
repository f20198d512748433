// Package golden is the one golden-file helper of bploadgen's tests: Check
// compares a test's output with a file under testdata, and the -update
// flag rewrites the files instead. On a mismatch the output is written
// beside the file as NAME.got (ignored by git) and the test fails with a
// diff of the lines that differ, so the change can be read in the log and
// inspected whole in the .got file.
//
//	go test ./cmd/bploadgen/ ./internal/report/ ./internal/compare/ ./internal/merge/ -update
//
// Only the packages that import golden know -update, so name them; the
// tests that write golden files are the ones that pass with -update and
// leave `git diff` to review.
package golden
