package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// compareOptions is filled in by the command that owns this file.
type compareOptions struct{}

// newCompareCmd is a placeholder until the compare command lands.
func newCompareCmd(e *env, runF func(*compareOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "compare",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return runFailed(errors.New("compare: not yet available"))
		},
	}
}
