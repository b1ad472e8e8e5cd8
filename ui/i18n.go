package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
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

// knownFormat is a translation key with printf verbs, as a pattern that
// matches the messages it produces.
type knownFormat struct {
	key   string
	re    *regexp.Regexp
	verbs []byte // 's', 'q', 'd' or 'v' per capture, in order
}

// knownFormats are the keys of en.json that hold %s, %q, %d, %v or %w:
// errors from jobs carry them filled in, and a person reads them back in
// the chosen language. Longer formats first, so the most specific wins.
var knownFormats = sync.OnceValue(func() []knownFormat {
	verb := regexp.MustCompile(`%[sqdvw]`)
	var out []knownFormat
	for key := range knownMessages() {
		if !verb.MatchString(key) {
			continue
		}
		var pat strings.Builder
		var verbs []byte
		last := 0
		for _, loc := range verb.FindAllStringIndex(key, -1) {
			pat.WriteString(regexp.QuoteMeta(key[last:loc[0]]))
			switch v := key[loc[0]+1]; v {
			case 'q':
				pat.WriteString(`("(?:[^"\\]|\\.)*")`)
				verbs = append(verbs, 'q')
			case 'd':
				pat.WriteString(`(-?\d+)`)
				verbs = append(verbs, 'd')
			default:
				pat.WriteString(`(.+?)`)
				verbs = append(verbs, 's')
			}
			last = loc[1]
		}
		pat.WriteString(regexp.QuoteMeta(key[last:]))
		re, err := regexp.Compile("^" + pat.String() + "$")
		if err != nil {
			continue
		}
		out = append(out, knownFormat{key: key, re: re, verbs: verbs})
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i].key) > len(out[j].key) })
	return out
})

// translateFormatted translates msg when it is a known format filled in;
// the text that filled a %s is itself translated (an error wrapping
// another), quoted values and numbers are kept as they are.
func translateFormatted(msg string, depth int) (string, bool) {
	if depth <= 0 {
		return "", false
	}
	for _, f := range knownFormats() {
		m := f.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		args := make([]any, len(f.verbs))
		for i, v := range f.verbs {
			part := m[i+1]
			if v == 's' {
				if t, ok := translatedMessage(part); ok {
					part = t
				} else if t, ok := translateFormatted(part, depth-1); ok {
					part = t
				}
			}
			args[i] = part
		}
		// Every value is already text: print each verb as %s.
		return fmt.Sprintf(verbAsString.ReplaceAllString(lang.L(f.key), "%s"), args...), true
	}
	return "", false
}

var verbAsString = regexp.MustCompile(`%[sqdvw]`)
