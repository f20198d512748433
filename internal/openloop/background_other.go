//go:build !linux

package openloop

// background: only Linux lowers the recorder's background work's priority
// (background_linux.go).
func background() {}
