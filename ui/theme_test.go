package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
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
