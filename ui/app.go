// Package ui is Cadang's window: Fyne screens, the tray and notifications.
package ui

import (
	"context"

	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

// Run opens the window (placeholder until the first-run and login screens land).
func Run(ctx context.Context, workspace string) error {
	a := app.NewWithID("id.cadang.desktop")
	w := a.NewWindow("Cadang")
	w.SetContent(widget.NewLabel("Cadang"))
	w.ShowAndRun()
	return nil
}
