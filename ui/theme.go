package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// prefTheme is the workstation's appearance: follow the system's light or
// dark setting (the default), or always light, or always dark.
const (
	prefTheme   = "theme"
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"
)

var themeValues = []string{themeSystem, themeLight, themeDark}

func themeChoices() []string {
	return []string{lang.L("Follow the system"), lang.L("Light"), lang.L("Dark")}
}

// cadangTheme is Fyne's theme with colours that keep every text readable
// (WCAG AA, 4.5:1) in both variants: Fyne's bright green, red, orange and
// blue carry white or dark text below that ratio, and its light
// placeholder grey is too faint. It follows the system's variant unless the
// workstation chose one.
type cadangTheme struct {
	fyne.Theme
	force  fyne.ThemeVariant
	forced bool // false: follow the system's variant
}

var _ fyne.Theme = cadangTheme{}

func newCadangTheme(pref string) cadangTheme {
	t := cadangTheme{Theme: theme.DefaultTheme()}
	switch pref {
	case themeLight:
		t.force, t.forced = theme.VariantLight, true
	case themeDark:
		t.force, t.forced = theme.VariantDark, true
	}
	return t
}

var (
	// Light: dark enough to read on white, and white reads on them.
	lightPrimary = color.NRGBA{R: 0x15, G: 0x65, B: 0xc0, A: 0xff} // blue 800
	lightSuccess = color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff} // green 800
	lightError   = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff} // red 800
	lightWarning = color.NRGBA{R: 0xa8, G: 0x4b, B: 0x00, A: 0xff} // deep orange-brown
	lightPlace   = color.NRGBA{R: 0x6b, G: 0x6b, B: 0x6b, A: 0xff}
	// Dark: light enough to read on the dark background, and near-black
	// reads on them.
	darkPrimary = color.NRGBA{R: 0x64, G: 0xb5, B: 0xf6, A: 0xff} // blue 300
	darkSuccess = color.NRGBA{R: 0x66, G: 0xbb, B: 0x6a, A: 0xff} // green 400
	darkError   = color.NRGBA{R: 0xef, G: 0x6c, B: 0x6c, A: 0xff}
	darkWarning = color.NRGBA{R: 0xff, G: 0xa7, B: 0x26, A: 0xff} // orange 400
	onDark      = color.NRGBA{R: 0x10, G: 0x10, B: 0x12, A: 0xff}
	white       = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)

func (t cadangTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.forced {
		v = t.force
	}
	light := v == theme.VariantLight
	pick := func(l, d color.Color) color.Color {
		if light {
			return l
		}
		return d
	}
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return pick(lightPrimary, darkPrimary)
	case theme.ColorNameSuccess:
		return pick(lightSuccess, darkSuccess)
	case theme.ColorNameError:
		return pick(lightError, darkError)
	case theme.ColorNameWarning:
		return pick(lightWarning, darkWarning)
	case theme.ColorNameForegroundOnPrimary, theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnError, theme.ColorNameForegroundOnWarning:
		return pick(white, onDark)
	case theme.ColorNamePlaceHolder:
		if light {
			return lightPlace
		}
	}
	return t.Theme.Color(n, v)
}

// Size is Fyne's, except that a modal dialog dims the window behind it
// without blurring it. The blur re-renders the whole window twice on every
// frame the dialog is up (copy the framebuffer, blur across, copy, blur
// down); without a graphics card, in software, that made each frame of the
// backup's progress dialog cost about 94 ms of CPU instead of 26 ms and
// kept the UI goroutine painting while a backup ran (issue 12).
func (t cadangTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameModalBlurRadius {
		return 0
	}
	return t.Theme.Size(n)
}

// applyTheme sets the workstation's appearance.
func applyTheme(a fyne.App) {
	a.Settings().SetTheme(newCadangTheme(a.Preferences().StringWithFallback(prefTheme, themeSystem)))
}

// themePicker chooses the appearance; the window redraws at once.
func themePicker(a fyne.App) *widget.Select {
	pick := widget.NewSelect(themeChoices(), nil)
	cur := a.Preferences().StringWithFallback(prefTheme, themeSystem)
	for i, v := range themeValues {
		if v == cur {
			pick.SetSelectedIndex(i)
		}
	}
	pick.OnChanged = func(string) {
		if i := pick.SelectedIndex(); i >= 0 {
			a.Preferences().SetString(prefTheme, themeValues[i])
			applyTheme(a)
		}
	}
	return pick
}
