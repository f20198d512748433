package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// reportOptions is filled in by the command that owns this file.
type reportOptions struct{}

// newReportCmd is a placeholder until the report command lands.
func newReportCmd(e *env, runF func(*reportOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "report",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return runFailed(errors.New("report: not yet available"))
		},
	}
}
