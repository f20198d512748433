package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// mergeOptions is filled in by the command that owns this file.
type mergeOptions struct{}

// newMergeCmd is a placeholder until the merge command lands.
func newMergeCmd(e *env, runF func(*mergeOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "merge",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return runFailed(errors.New("merge: not yet available"))
		},
	}
}
