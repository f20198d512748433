package main

import "embed"

// helpFiles are the commands' long help texts, one file a command
// (help/NAME.txt): prose kept apart from the code that wires the flags.
//
//go:embed help/*.txt
var helpFiles embed.FS

// longHelp is the text of help/NAME.txt. The files are compiled in, so a
// missing one is a build mistake (TestLongHelp reads every command's).
func longHelp(name string) string {
	b, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic("bploadgen: no help/" + name + ".txt")
	}
	return string(b)
}
