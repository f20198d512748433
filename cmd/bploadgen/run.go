package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// runOptions is filled in by the command that owns this file.
type runOptions struct{}

// newRunCmd is a placeholder until the run command lands.
func newRunCmd(e *env, runF func(*runOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "run",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return runFailed(errors.New("run: not yet available"))
		},
	}
}
