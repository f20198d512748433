package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// sizeOptions is filled in by the command that owns this file.
type sizeOptions struct{}

// newSizeCmd is a placeholder until the size command lands.
func newSizeCmd(e *env, runF func(*sizeOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "size",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return runFailed(errors.New("size: not yet available"))
		},
	}
}
