// Package termout keeps what bploadgen prints on a terminal from
// commanding it. Text that reaches the screen can come from a result file
// someone handed over or from a server (names, warnings, error messages);
// a control character in it could start an escape sequence the terminal
// obeys: colours, cursor moves, a rewritten window title, a clipboard
// write (OSC 52). Filter replaces every control character but newline and
// tab with U+FFFD on its way to the terminal.
//
// The command applies it to standard output and error when they are
// terminals; its own live progress line, which moves the cursor on
// purpose, writes to the terminal directly.
package termout
