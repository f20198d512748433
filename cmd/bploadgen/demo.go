package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// demoOptions is filled in by the command that owns this file.
type demoOptions struct{}

// newDemoCmd is a placeholder until the demo command lands.
func newDemoCmd(e *env, runF func(*demoOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "demo",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return runFailed(errors.New("demo: not yet available"))
		},
	}
}
