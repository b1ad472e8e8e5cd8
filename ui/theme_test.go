package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The window follows the system's light or dark setting unless the
// workstation chose one; the choice is kept in the preferences.
func TestThemeFollowsSystem(t *testing.T) {
	light, dark := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight), theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark)
	tests := []struct {
		pref   string
		system fyne.ThemeVariant
		want   any
	}{
		{themeSystem, theme.VariantLight, light},
		{themeSystem, theme.VariantDark, dark},
		{themeLight, theme.VariantDark, light},
		{themeDark, theme.VariantLight, dark},
	}
	for _, tt := range tests {
		if got := newCadangTheme(tt.pref).Color(theme.ColorNameBackground, tt.system); got != tt.want {
			t.Errorf("preference %s, system %d: background %v, want %v", tt.pref, tt.system, got, tt.want)
		}
	}
	newTestWindow(t) // a test app with its preferences
	a := fyne.CurrentApp()
	pick := themePicker(a)
	pick.SetSelectedIndex(2) // Dark
	if got := a.Preferences().String(prefTheme); got != themeDark {
		t.Errorf("preference after choosing Dark: %q", got)
	}
}

// A modal dialog dims the window behind it but does not blur it: the blur
// re-renders the whole window on every frame the dialog is up, and the
// backup's progress dialog redraws ten times a second (issue 12, "the
// window stays responsive"; BenchmarkWindowDuringBackup measures it).
func TestThemeModalDialogDoesNotBlurTheWindow(t *testing.T) {
	for _, pref := range themeValues {
		t.Run(pref, func(t *testing.T) {
			w := newTestWindow(t)
			fyne.CurrentApp().Settings().SetTheme(newCadangTheme(pref))
			d := dialog.NewCustomWithoutButtons("Backup", widget.NewLabel("50%"), w)
			d.Show()
			var blurs []float32
			dims := 0
			for _, o := range w.Canvas().Overlays().List() {
				walkObjects(o, func(o fyne.CanvasObject) bool {
					switch v := o.(type) {
					case *canvas.Blur:
						blurs = append(blurs, v.Radius)
					case *canvas.Rectangle:
						if v.FillColor == theme.Current().Color(theme.ColorNameShadow, fyne.CurrentApp().Settings().ThemeVariant()) {
							dims++
						}
					}
					return true
				})
			}
			for _, r := range blurs {
				if r != 0 {
					t.Errorf("the dialog blurs the window behind it (radius %v)", r)
				}
			}
			if dims == 0 {
				t.Error("the window behind the dialog is not dimmed")
			}
		})
	}
}
