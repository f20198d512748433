package main

import (
	"io/fs"
	"strings"
	"testing"
)

// TestLongHelp: every command has its long help, ending in a newline, and
// every help file (long help, examples, the exit codes) belongs to a
// command.
func TestLongHelp(t *testing.T) {
	root := newRootCmd(&newTestEnv().env)
	used := map[string]bool{}
	for _, c := range append(root.Commands(), root) {
		if c.Name() == "version" || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if c.Long == "" || !strings.HasSuffix(c.Long, "\n") {
			t.Errorf("%s: long help %q", c.Name(), c.Long)
		}
		used[c.Name()+".txt"] = true
		if strings.HasSuffix(c.Long, exitCodeHelp()) {
			used["exit-codes.txt"] = true
		}
		if c.Example != "" {
			used["examples/"+c.Name()+".txt"] = true
		}
	}
	err := fs.WalkDir(helpFiles, "help", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !used[strings.TrimPrefix(path, "help/")] {
			t.Errorf("%s belongs to no command", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
