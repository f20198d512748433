//go:build race

package main

// raceEnabled: the race detector slows the generator several-fold, so the
// end-to-end acceptance runs that need a generator keeping its schedule
// within a fraction of the service time do not run under it.
const raceEnabled = true
