package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

//go:embed translations
var translations embed.FS

// Languages the window speaks; the code is stored in the preferences.
const (
	LangEnglish    = "en"
	LangIndonesian = "id"
)

// prefLanguage is the preference key holding the chosen language code.
const prefLanguage = "language"

var loadTranslations = sync.OnceValue(func() error {
	return lang.AddTranslationsFS(translations, "translations")
})

// languageNames are shown in the language picker, each in its own language.
var languageNames = map[string]string{LangEnglish: "English", LangIndonesian: "Bahasa Indonesia"}

// languageCode maps a picker label back to its code.
func languageCode(name string) string {
	for code, n := range languageNames {
		if n == name {
			return code
		}
	}
	return LangEnglish
}

// applyLanguage makes lang.L answer in code ("en" or "id").
//
// Fyne 2.8 has no call to choose the language: it follows the process
// locale (LANGUAGE, else LC_ALL/LC_MESSAGES/LANG). So the choice is put in
// LANGUAGE, which only gettext message catalogues read, and Fyne is asked to
// look again by loading an empty catalogue.
func applyLanguage(code string) error {
	if code != LangIndonesian {
		code = LangEnglish
	}
	if err := loadTranslations(); err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	if err := os.Setenv("LANGUAGE", code); err != nil {
		return fmt.Errorf("set language: %w", err)
	}
	// LANGUAGE is ignored when the locale is C or POSIX (or unset).
	if loc := effectiveLocale(); loc == "" || loc == "C" || loc == "POSIX" {
		if err := os.Setenv("LC_MESSAGES", "C.UTF-8"); err != nil {
			return fmt.Errorf("set language: %w", err)
		}
	}
	if err := lang.AddTranslationsForLocale([]byte("{}"), fyne.Locale(code)); err != nil {
		return fmt.Errorf("set language %s: %w", code, err)
	}
	return nil
}

func effectiveLocale() string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// languageOf returns the saved language, defaulting to Indonesian when the
// system locale is Indonesian and English otherwise.
func languageOf(p fyne.Preferences) string {
	if code := p.String(prefLanguage); code == LangEnglish || code == LangIndonesian {
		return code
	}
	if strings.HasPrefix(effectiveLocale(), "id") || strings.HasPrefix(os.Getenv("LANGUAGE"), "id") {
		return LangIndonesian
	}
	return LangEnglish
}

// knownMessages are the keys of en.json: every string the window may
// translate. It lets error texts coming from jobs be translated when the
// translations know them, without asking lang for keys it does not have.
var knownMessages = sync.OnceValue(func() map[string]bool {
	known := map[string]bool{}
	b, err := translations.ReadFile("translations/en.json")
	if err != nil {
		return known
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return known
	}
	for k := range m {
		known[k] = true
	}
	return known
})

// translatedMessage translates msg, or msg without its "operation: " prefix,
// when the translations know it.
func translatedMessage(msg string) (string, bool) {
	known := knownMessages()
	if known[msg] {
		return lang.L(msg), true
	}
	if _, rest, ok := strings.Cut(msg, ": "); ok && known[rest] {
		return lang.L(rest), true
	}
	return "", false
}

// currentLanguageCode is the language lang.L answers in now: what
// applyLanguage last put in LANGUAGE.
func currentLanguageCode() string {
	if strings.HasPrefix(os.Getenv("LANGUAGE"), LangIndonesian) {
		return LangIndonesian
	}
	return LangEnglish
}
