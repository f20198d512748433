// Package profile reads what a run should do — the request, the rate shape,
// the arrival process and the gates — from a YAML profile file
// (docs/profile.md) or from command-line shapes (constant, step,
// spike, ramp), and validates it.
//
// A Profile is the first step of the data flow: profile → schedule → engine.
// Errors name the file and line ("profile.yaml:7: rate must be > 0") and
// user input never panics.
package profile
