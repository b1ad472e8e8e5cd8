package ui

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// icon.png is a copy of the top-level Icon.png (made by internal/icongen);
// Go cannot embed files from a parent directory.
//
//go:embed icon.png
var iconPNG []byte

// appIcon is the window, tray and notification icon.
var appIcon = fyne.NewStaticResource("cadang.png", iconPNG)
