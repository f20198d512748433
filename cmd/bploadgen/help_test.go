package main

import (
	"strings"
	"testing"
)

// TestLongHelp: every command has its long help, ending in a newline, and
// every help file belongs to a command.
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
	}
	files, err := helpFiles.ReadDir("help")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !used[f.Name()] {
			t.Errorf("help/%s belongs to no command", f.Name())
		}
	}
}
