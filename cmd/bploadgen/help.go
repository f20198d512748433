package main

import (
	"embed"
	"strings"
)

// helpFiles are the commands' long help texts, one file a command
// (help/NAME.txt), and their examples (help/examples/NAME.txt): prose
// kept apart from the code that wires the flags.
//
//go:embed help/*.txt help/examples/*.txt
var helpFiles embed.FS

// longHelp is the text of help/NAME.txt. The files are compiled in, so a
// missing one is a build mistake (TestLongHelp reads every command's).
func longHelp(name string) string { return helpFile("help/" + name + ".txt") }

// examples is the text of help/examples/NAME.txt, without the final
// newline (cobra's help adds its own).
func examples(name string) string {
	return strings.TrimSuffix(helpFile("help/examples/"+name+".txt"), "\n")
}

func helpFile(path string) string {
	b, err := helpFiles.ReadFile(path)
	if err != nil {
		panic("bploadgen: no " + path)
	}
	return string(b)
}
