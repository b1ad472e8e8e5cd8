package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"cadang/engine"
	"cadang/engine/secrets"
	"cadang/jobs"
	"cadang/printing"
)

// showError tells the person what went wrong and what to do, in the chosen
// language, under a title that says what kind of problem it is. A
// cancelled operation is not an error and shows nothing.
func showError(w fyne.Window, err error) { showErrorTitled(w, errorTitle(err), err) }

// showErrorTitled is showError under the caller's title ("Sign-in
// failed", "The job was not saved").
func showErrorTitled(w fyne.Window, title string, err error) { showErrorWith(w, title, err, nil) }

// showErrorWith is showErrorTitled with one more way out next to OK (Save
// a copy… when the PDF cannot be printed here); extra may be nil. Its
// button closes the dialog before it acts.
func showErrorWith(w fyne.Window, title string, err error, extra *widget.Button) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	what, todo := explain(err)
	msg := widget.NewLabel(secrets.Redact(what)) // a tool's message may quote a location
	msg.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabel(todo)
	hint.Wrapping = fyne.TextWrapWord
	hint.TextStyle = fyne.TextStyle{Italic: true}
	body := container.NewVBox(msg, hint)
	var d dialog.Dialog
	if extra == nil {
		d = dialog.NewCustom(title, lang.L("OK"), body, w)
	} else {
		ok := widget.NewButton(lang.L("OK"), func() { d.Hide() })
		act := extra.OnTapped
		extra.OnTapped = func() { d.Hide(); act() }
		extra.Importance = widget.HighImportance
		d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, container.NewCenter(container.NewHBox(ok, extra)), nil, nil, body), w)
	}
	d.Resize(fyne.NewSize(460, 0))
	closeOnKeys(w, d)
	d.Show()
}

// closeOnKeys lets Return, Enter or Escape close d as OK does, for
// keyboard users. Nothing in the dialog has the focus, so the driver hands
// those keys to the canvas; other keys go where they went before, and the
// canvas's handler is restored when d closes.
func closeOnKeys(w fyne.Window, d dialog.Dialog) {
	c := w.Canvas()
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape:
			d.Hide()
		default:
			if prev != nil {
				prev(ev)
			}
		}
	})
	d.SetOnClosed(func() { c.SetOnTypedKey(prev) })
}

// installHint is printing's "how to install it", in the chosen language
// when the translations know it; the commands lose their Markdown quotes
// (in italics a backtick merged with the next letter).
func installHint(install string) string {
	plain := strings.ReplaceAll(install, "`", "")
	if t, ok := translatedMessage(plain); ok {
		return t
	}
	return plain
}

// explain turns an error into a translated sentence and an instruction.
// Refusals from jobs already say what to do; their text is looked up in the
// translations so known ones appear in the chosen language.
func explain(err error) (what, todo string) {
	var refused *jobs.RefusedError
	switch {
	case errors.As(err, &refused) && isLoginRefusal(refused):
		if refused.AttemptsLeft > 0 {
			return translateRefusal(refused), lang.N("{{.N}} more wrong passwords lock this account; an administrator then unlocks it.", refused.AttemptsLeft, map[string]any{"N": refused.AttemptsLeft})
		}
		return translateRefusal(refused), lang.L("An administrator can unlock or enable the account in Settings, Accounts and roles.")
	case errors.As(err, &refused):
		return translateRefusal(refused), lang.L("This is a rule of the backup procedure; follow the instruction above.")
	case errors.Is(err, jobs.ErrSetupNeeded):
		return lang.L("This workspace has no accounts yet."), lang.L("Restart Cadang to run the first-time setup.")
	case errors.Is(err, engine.ErrLocked):
		return translateMessage(err.Error()), lang.L("Another backup, restore or prune is using the repository. Wait for it to finish; if no Cadang is running, the lock is stale and can be removed in Settings.")
	case errors.Is(err, engine.ErrWrongPassword), errors.Is(err, engine.ErrPasswordRequired):
		return translateMessage(err.Error()), lang.L("Enter the repository password file in the job (Jobs, Edit).")
	case errors.Is(err, engine.ErrNotRepository):
		return translateMessage(err.Error()), lang.L("Check the repository location in the job (Jobs, Edit), or create the repository there first.")
	case errors.Is(err, engine.ErrNoSnapshot):
		return translateMessage(err.Error()), lang.L("Pick another date: no backup exists at or before the one chosen.")
	case errors.Is(err, printing.ErrMissingTool):
		var missing *printing.MissingToolError
		errors.As(err, &missing)
		return lang.L("This computer lacks the program to print or open a PDF: {{.Tools}}.", map[string]any{"Tools": strings.Join(missing.Tools, ", ")}),
			installHint(missing.Install) + ". " + lang.L("Or save the PDF and print it elsewhere.")
	case errors.Is(err, printing.ErrNoPrinter):
		return lang.L("No default printer is set."), lang.L("Choose a default printer in the system's printer settings, then print again.")
	case errors.Is(err, os.ErrPermission):
		return translateMessage(err.Error()), lang.L("Cadang may not read or write there. Choose another place or ask an administrator for access.")
	case errors.Is(err, os.ErrNotExist):
		return translateMessage(err.Error()), lang.L("The file or folder does not exist. Check the path and try again.")
	}
	return translateMessage(err.Error()), lang.L("Check the details above and try again.")
}

// isLoginRefusal tells a refused sign-in from a refusal of the procedure.
func isLoginRefusal(e *jobs.RefusedError) bool {
	format, _ := e.Template()
	return strings.HasPrefix(format, "login:")
}

// errorTitle says what kind of problem err is, for the dialog's title.
func errorTitle(err error) string {
	var refused *jobs.RefusedError
	switch {
	case errors.As(err, &refused) && isLoginRefusal(refused):
		return lang.L("Sign-in failed")
	case errors.As(err, &refused):
		return lang.L("Not allowed by the procedure")
	case errors.Is(err, jobs.ErrSetupNeeded):
		return lang.L("First-time setup needed")
	case errors.Is(err, engine.ErrLocked), errors.Is(err, engine.ErrWrongPassword), errors.Is(err, engine.ErrPasswordRequired),
		errors.Is(err, engine.ErrNotRepository), errors.Is(err, engine.ErrNoSnapshot):
		return lang.L("Repository problem")
	case errors.Is(err, printing.ErrMissingTool), errors.Is(err, printing.ErrNoPrinter):
		return lang.L("Cannot print or open the PDF")
	case errors.Is(err, os.ErrPermission), errors.Is(err, os.ErrNotExist):
		return lang.L("Cannot use that place")
	}
	return lang.L("Could not finish")
}

// translateRefusal shows a refusal from jobs in the chosen language: its
// English format is the translation key, its arguments are filled in after.
func translateRefusal(e *jobs.RefusedError) string {
	format, args := e.Template()
	if format == "" || !knownMessages()[format] {
		return translateMessage(e.Error())
	}
	return translateMessage(fmt.Sprintf(lang.L(format), args...))
}

// translateMessage looks a message up in the translations, whole or as a
// known format with its values filled in ("window %q: %q is not HH:MM"),
// and falls back to the message itself; the first letter is capitalised
// for display.
func translateMessage(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return lang.L("Unknown error")
	}
	if t, ok := translatedMessage(msg); ok {
		msg = t
	} else if t, ok := translateFormatted(msg, 3); ok {
		msg = t
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// showInfo tells the person something went well, and what comes next.
func showInfo(w fyne.Window, title, message string) {
	text := widget.NewLabel(message)
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, lang.L("OK"), text, w)
	d.Resize(fyne.NewSize(460, 0))
	closeOnKeys(w, d)
	d.Show()
}
