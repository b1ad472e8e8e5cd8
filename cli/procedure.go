package cli

import "github.com/spf13/cobra"

// addProcedureCommands adds user, job, request, docs, audit and daemon.
func addProcedureCommands(root *cobra.Command, g *globals) {}
