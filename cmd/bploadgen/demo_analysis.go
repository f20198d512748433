package main

import (
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/targets"
)

// demoAnalysis is the capacity analysis of the demo run with the target's
// known parameters; nil until the analysis layer exists.
func demoAnalysis(*result.Result, targets.Config) *result.Analysis { return nil }
