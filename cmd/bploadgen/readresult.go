package main

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/result"
)

// readResult reads a saved result from path, or from stdin when path is "-";
// errors name the file (or "standard input"). The result is redacted
// again: a result file may come from anywhere.
func readResult(e *env, path string) (*result.Result, error) {
	var r *result.Result
	var err error
	if path == "-" {
		if r, err = result.Read(e.stdin); err != nil {
			return nil, fmt.Errorf("standard input: %w", err)
		}
	} else if r, err = result.ReadFile(path); err != nil {
		return nil, err
	}
	r.Redact(nil)
	return r, nil
}

// readResultFiles reads saved results, in order, each redacted again.
func readResultFiles(paths ...string) ([]*result.Result, error) {
	rs := make([]*result.Result, len(paths))
	for i, path := range paths {
		r, err := result.ReadFile(path)
		if err != nil {
			return nil, err
		}
		r.Redact(nil)
		rs[i] = r
	}
	return rs, nil
}
