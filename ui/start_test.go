package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

func TestSetupScreen(t *testing.T) {
	tests := []struct {
		name              string
		admin, pw, repeat string
		records           string // "" = a new folder; "-" = none
		recordsRepeat     string // typed into the records password confirmation
		wantDialog        string // "" = setup succeeds
	}{
		{"passwords differ", "admin", "correct horse", "correct horsf", "", "", "The two passwords differ"},
		{"password too short", "admin", "short", "short", "", "", "at least 8 characters"},
		{"no name", "", "correct horse", "correct horse", "", "", "Enter a name"},
		{"no records repository", "admin", "correct horse", "correct horse", "-", "", "Choose where the workspace's own records"},
		{"records passwords differ", "admin", "correct horse", "correct horse", "", "records pass 2", "The two records passwords differ"},
		{"bad name refused by jobs", " admin", "correct horse", "correct horse", "", "", ""},
		{"creates the administrator", "admin", "correct horse", "correct horse", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWindow(t)
			svc := newWorkspace(t)
			var got *jobs.User
			screen, f := setupScreen(context.Background(), w, svc, inline, func(u jobs.User) { got = &u }, nil, nil)
			w.SetContent(screen)
			test.Type(f.admin, tt.admin)
			test.Type(f.fullName, "Ayu Lestari")
			test.Type(f.password, tt.pw)
			test.Type(f.confirm, tt.repeat)
			test.Type(f.company, "PT Contoh")
			test.Type(f.repo, "/srv/backup/cadang")
			if tt.records != "-" {
				test.Type(f.records, filepath.Join(t.TempDir(), "records"))
			}
			test.Type(f.recordsPassword, "records pass 1")
			if tt.recordsRepeat == "" {
				tt.recordsRepeat = "records pass 1"
			}
			test.Type(f.recordsConfirm, tt.recordsRepeat)
			test.Tap(f.submit)

			need, err := svc.NeedsSetup(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantDialog != "" {
				if d := dialogText(w); !strings.Contains(d, tt.wantDialog) {
					t.Fatalf("dialog %q, want it to contain %q", d, tt.wantDialog)
				}
				if got != nil || !need {
					t.Fatalf("setup went ahead: user %v, needs setup %v", got, need)
				}
				return
			}
			if tt.admin != strings.TrimSpace(tt.admin) { // trimmed by the form
				tt.admin = strings.TrimSpace(tt.admin)
			}
			if got == nil || got.Name != tt.admin || got.Role != jobs.RoleAdmin || need {
				t.Fatalf("got user %+v, needs setup %v; dialog %q", got, need, dialogText(w))
			}
			if rj, ok, err := svc.RecordsJob(context.Background(), *got); err != nil || !ok || rj.State != jobs.JobApproved {
				t.Fatalf("records job after the first run: %+v %v %v, want it approved by the setup", rj, ok, err)
			}
			// The first repository folder becomes the job editor's suggestion.
			if def := fyne.CurrentApp().Preferences().String(prefDefaultRepo); def != "/srv/backup/cadang" {
				t.Fatalf("default repository %q", def)
			}
			jf := newJobForm(w)
			jf.suggestRepository("/srv/backup/cadang")
			test.Type(jf.name, "hr")
			if jf.repo.Text != "/srv/backup/cadang/hr" {
				t.Errorf("suggested repository %q, want /srv/backup/cadang/hr", jf.repo.Text)
			}
		})
	}
}

func TestLoginScreen(t *testing.T) {
	tests := []struct {
		name, user, pw string
		wantDialog     string
	}{
		{"wrong password is refused", "admin", "wrong horse", "Wrong user name or password"},
		{"unknown user is refused", "nobody", "correct horse", "Wrong user name or password"},
		{"empty fields", "", "", "Enter your user name and password"},
		{"right password signs in", "admin", "correct horse", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWindow(t)
			svc, _ := withAdmin(t)
			var got *jobs.User
			screen, f := loginScreen(context.Background(), w, svc, inline, func(u jobs.User) { got = &u }, nil, nil)
			w.SetContent(screen)
			test.Type(f.name, tt.user)
			test.Type(f.password, tt.pw)
			test.Tap(f.submit)
			if tt.wantDialog != "" {
				if d := dialogText(w); !strings.Contains(d, tt.wantDialog) {
					t.Fatalf("dialog %q, want it to contain %q", d, tt.wantDialog)
				}
				if got != nil {
					t.Fatalf("signed in as %+v despite the refusal", got)
				}
				if f.password.Text != "" && tt.user != "" {
					t.Errorf("password field kept %q after a refusal", f.password.Text)
				}
				return
			}
			if got == nil || got.Name != "admin" {
				t.Fatalf("got %+v, want admin signed in; dialog %q", got, dialogText(w))
			}
		})
	}
}

// A keyboard user signs in with a wrong password (Return in the password
// field) and closes the error with Return, Enter or Escape, back in the
// password field; another key leaves the error open. The dialog could only
// be closed with the mouse.
func TestLoginErrorClosedByKeyboard(t *testing.T) {
	tests := []struct {
		key    fyne.KeyName
		closes bool
	}{
		{fyne.KeyReturn, true},
		{fyne.KeyEnter, true},
		{fyne.KeyEscape, true},
		{fyne.KeyTab, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.key), func(t *testing.T) {
			w := newTestWindow(t)
			svc, _ := withAdmin(t)
			screen, f := loginScreen(context.Background(), w, svc, inline, func(jobs.User) { t.Error("signed in with a wrong password") }, nil, nil)
			w.SetContent(screen)
			w.Canvas().Focus(f.name)
			test.Type(f.name, "admin")
			pressKey(w, fyne.KeyReturn) // on to the password
			w.Canvas().Focus(f.password)
			test.Type(f.password, "wrong horse")
			pressKey(w, fyne.KeyReturn) // sign in
			if d := dialogText(w); !strings.Contains(d, "Wrong user name or password") {
				t.Fatalf("after a wrong password the window shows %q", d)
			}
			pressKey(w, tt.key)
			if open := w.Canvas().Overlays().Top() != nil; open == tt.closes {
				t.Fatalf("after %s the error is open: %v, want %v (dialog %q)", tt.key, open, !tt.closes, dialogText(w))
			}
			if !tt.closes {
				return
			}
			if w.Canvas().Focused() != f.password {
				t.Errorf("after closing the error the focus is on %T, want the password field", w.Canvas().Focused())
			}
			// The canvas's keys are its own again: Return with nothing
			// focused opens nothing and closes nothing.
			w.Canvas().Unfocus()
			pressKey(w, fyne.KeyReturn)
			if w.Canvas().Overlays().Top() != nil {
				t.Errorf("Return after the error opened %q", dialogText(w))
			}
		})
	}
}

// pressKey types one key on the window as the desktop driver does: to the
// focused widget, else to the canvas.
func pressKey(w fyne.Window, key fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: key}
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := w.Canvas().OnTypedKey(); h != nil {
		h(ev)
	}
}

func TestLoginScreenInIndonesian(t *testing.T) {
	w := newTestWindow(t)
	t.Cleanup(func() { applyLanguage(LangEnglish) })
	if err := applyLanguage(LangIndonesian); err != nil {
		t.Fatal(err)
	}
	svc, _ := withAdmin(t)
	screen, f := loginScreen(context.Background(), w, svc, inline, func(jobs.User) {}, nil, nil)
	w.SetContent(screen)
	for _, want := range []string{"Masuk ke Cadang", "Nama pengguna", "Kata sandi"} {
		if !shows(screen, want) {
			t.Errorf("login screen in Indonesian lacks %q: %q", want, texts(screen))
		}
	}
	test.Type(f.name, "admin")
	test.Type(f.password, "salah sekali")
	test.Tap(f.submit)
	if d := dialogText(w); !strings.Contains(d, "Nama pengguna atau kata sandi salah") {
		t.Errorf("refusal dialog %q, want the Indonesian message", d)
	}
}

// TestFlow walks the real flow: a new workspace asks for setup, a set-up
// one asks to log in, logging in shows the shell, logging out the login.
func TestFlow(t *testing.T) {
	a := test.NewTempApp(t)
	if err := applyLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	dir := t.TempDir()
	f := newFlow(context.Background(), a, w, dir, inline, quietLog())
	t.Cleanup(f.close)
	f.start()
	if !shows(w.Content(), "First-time setup") {
		t.Fatalf("new workspace shows %q, want the first-time setup", texts(w.Content()))
	}
	f.svc.Setup(context.Background(), jobs.SetupOptions{Admin: "admin", Password: "correct horse"})
	f.start()
	if !shows(w.Content(), "Sign in to Cadang") {
		t.Fatalf("set-up workspace shows %q, want the login", texts(w.Content()))
	}
	u, err := f.svc.Login(context.Background(), "admin", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	f.signedIn(u)
	if !shows(w.Content(), "Log out") || !shows(w.Content(), "Administrator") {
		t.Fatalf("shell shows %q, want the user's role and Log out", texts(w.Content()))
	}
	test.Tap(findButton(t, w.Content(), "Log out"))
	if !shows(w.Content(), "Sign in to Cadang") {
		t.Fatalf("after log-out: %q, want the login", texts(w.Content()))
	}
}

// TestFlowRemembersWorkspace: the workspace chosen at the first start is
// kept in the preferences and used at the next start without asking.
func TestFlowRemembersWorkspace(t *testing.T) {
	a := test.NewTempApp(t)
	if err := applyLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	f := newFlow(context.Background(), a, w, "", inline, quietLog())
	t.Cleanup(f.close)
	f.start()
	if !shows(w.Content(), "Workspace folder") {
		t.Fatalf("first start shows %q, want the workspace question", texts(w.Content()))
	}
	dir := t.TempDir()
	var entry *widget.Entry
	walkObjects(w.Content(), func(o fyne.CanvasObject) bool {
		if e, ok := o.(*widget.Entry); ok && entry == nil {
			entry = e
		}
		return entry == nil
	})
	if entry == nil || !strings.HasSuffix(entry.Text, "cadang") {
		t.Fatalf("workspace entry %v, want the default under the config dir", entry)
	}
	entry.SetText(dir)
	test.Tap(findButton(t, w.Content(), "Continue"))
	if got := a.Preferences().String(prefWorkspace); got != dir {
		t.Fatalf("remembered workspace %q, want %q", got, dir)
	}
	f.close()
	f2 := newFlow(context.Background(), a, w, "", inline, quietLog())
	t.Cleanup(f2.close)
	f2.start()
	if !shows(w.Content(), "First-time setup") || f2.svc == nil || f2.svc.Dir() != dir {
		t.Fatalf("second start shows %q, want the setup of %s", texts(w.Content()), dir)
	}
}

func TestFlowBadWorkspaceShowsError(t *testing.T) {
	a := test.NewTempApp(t)
	if err := applyLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	file := t.TempDir() + "/not-a-dir"
	if err := writeFile(file, "x"); err != nil {
		t.Fatal(err)
	}
	f := newFlow(context.Background(), a, w, file, inline, quietLog())
	t.Cleanup(f.close)
	f.start()
	if d := dialogText(w); !strings.Contains(d, "not a directory") {
		t.Fatalf("dialog %q, want it to say the workspace is not a directory", d)
	}
	if !shows(w.Content(), "Workspace folder") {
		t.Fatalf("after the error: %q, want the workspace question again", texts(w.Content()))
	}
}
