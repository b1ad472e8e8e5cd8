package cli

import "github.com/spf13/cobra"

// addRepoCommands adds the engine commands: init, backup, snapshots, ls,
// restore, verify, forget, prune, unlock.
func addRepoCommands(root *cobra.Command, g *globals) {}
