package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// analyzeOptions is filled in by the command that owns this file.
type analyzeOptions struct{}

// newAnalyzeCmd is a placeholder until the analyze command lands.
func newAnalyzeCmd(e *env, runF func(*analyzeOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "analyze",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return runFailed(errors.New("analyze: not yet available"))
		},
	}
}
