package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

func dashboardScreen(s *session) fyne.CanvasObject { return widget.NewLabel("Dashboard") }
func jobsScreen(s *session) fyne.CanvasObject      { return widget.NewLabel("Jobs") }
func snapshotsScreen(s *session) fyne.CanvasObject { return widget.NewLabel("Snapshots") }
func activityScreen(s *session) fyne.CanvasObject  { return widget.NewLabel("Activity") }
func documentsScreen(s *session) fyne.CanvasObject { return widget.NewLabel("Documents") }
func settingsScreen(s *session) fyne.CanvasObject  { return widget.NewLabel("Settings") }

func (f *flow) runNowItems() []*fyne.MenuItem { return nil }
func (f *flow) togglePause()                  {}
