// Command cadang is the Cadang desktop application and its command line.
// Without arguments it opens the window; with a command it runs headless.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"cadang/cli"
	"cadang/ui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, os.Args[1:], cli.Options{OpenWindow: ui.Run})
	stop()
	os.Exit(code)
}
