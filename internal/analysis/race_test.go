//go:build race

package analysis

// raceEnabled: the race detector slows the (single-threaded) statistics
// tenfold, so the calibration runs fewer seeds under it.
const raceEnabled = true
