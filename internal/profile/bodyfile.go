package profile

import (
	"fmt"
	"io"
	"os"
)

// MaxBodyBytes bounds a request's body file: 64 MiB.
const MaxBodyBytes = 64 << 20

// ReadBodyFile reads a body file (body_file, --body @FILE, a targets
// file's @FILE) whole, refusing one larger than MaxBodyBytes without
// reading past the bound.
func ReadBodyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxBodyBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBodyBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, MaxBodyBytes>>20)
	}
	return b, nil
}
