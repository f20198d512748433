package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// targetOptions is filled in by the command that owns this file.
type targetOptions struct{}

// newTargetCmd is a placeholder until the target command lands.
func newTargetCmd(e *env, runF func(*targetOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "target",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return runFailed(errors.New("target: not yet available"))
		},
	}
}
