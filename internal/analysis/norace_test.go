//go:build !race

package analysis

// raceEnabled: see race_test.go.
const raceEnabled = false
