package main

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/result"
)

// readResult reads a saved result from path, or from stdin when path is "-";
// errors name the file (or "standard input").
func readResult(e *env, path string) (*result.Result, error) {
	if path == "-" {
		r, err := result.Read(e.stdin)
		if err != nil {
			return nil, fmt.Errorf("standard input: %w", err)
		}
		return r, nil
	}
	return result.ReadFile(path)
}
