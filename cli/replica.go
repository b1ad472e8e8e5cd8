package cli

import "github.com/spf13/cobra"

// addReplicaCommands adds replica add|sync|status|list.
func addReplicaCommands(root *cobra.Command, g *globals) {}
