package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bploadgen/bploadgen/internal/capacity"
	"github.com/bploadgen/bploadgen/internal/openloop"
)

// The internal packages name settings by their keys ("step_duration") and
// take a Name function for their errors; cmd passes flagName, and words
// the few engine errors that cannot take one (message).

// flagName renders a setting (a profile key, "step_duration") as its flag
// ("--step-duration"): the words the internal packages' errors use on the
// command line.
func flagName(setting string) string { return "--" + strings.ReplaceAll(setting, "_", "-") }

// givenBy is a setting's Given from the flags given on the command line.
func givenBy(changed func(flag string) bool) func(setting string) bool {
	return func(s string) bool { return changed != nil && changed(strings.ReplaceAll(s, "_", "-")) }
}

// message is err's line for people: an engine error that names a setting
// is said in the command line's words.
func message(err error) string {
	msg := err.Error()
	var ce *openloop.ClientError
	if errors.As(err, &ce) {
		words := fmt.Sprintf("--client %s needs a plain http:// URL with no proxy and no --http2", ce.Client)
		if ce.NeedsLinux {
			words = fmt.Sprintf("--client %s needs Linux", ce.Client)
		}
		msg = strings.Replace(msg, ce.Error(), words, 1)
	}
	return msg
}

// sloWords adds to capacity.CheckSLOs's error how to give what is missing.
func sloWords(err error) error {
	switch {
	case errors.Is(err, capacity.ErrNoSLO):
		return fmt.Errorf("%w, e.g. --slo 'p99 < 100ms'", err)
	case errors.Is(err, capacity.ErrRateSLO):
		return fmt.Errorf("%w (give --require R for the capacity you need)", err)
	}
	return err
}
