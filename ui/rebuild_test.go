package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"cadang/jobs"
)

// TestFlowRebuildsALostWorkspace: the first-run screen of an empty
// workspace rebuilds a lost one from its records backup, then asks to
// sign in with the lost workspace's accounts.
func TestFlowRebuildsALostWorkspace(t *testing.T) {
	ctx := context.Background()
	lost, repo := filepath.Join(t.TempDir(), "lost"), filepath.Join(t.TempDir(), "records")
	old, err := jobs.OpenWorkspace(ctx, lost, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := old.Setup(ctx, jobs.SetupOptions{Admin: "admin", Password: "correct horse", Records: jobs.RecordsOptions{Repository: repo, Password: "records pass"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.RunRecords(ctx, admin, jobs.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	old.Close()
	if err := os.RemoveAll(lost); err != nil {
		t.Fatal(err)
	}

	a := test.NewTempApp(t)
	if err := applyLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	f := newFlow(ctx, a, w, filepath.Join(t.TempDir(), "new"), inline, quietLog())
	t.Cleanup(f.close)
	f.start()
	if !shows(w.Content(), "Rebuild a lost workspace from its records backup") {
		t.Fatalf("first run shows %q, want the offer to rebuild", texts(w.Content()))
	}
	test.Tap(findButton(t, w.Content(), "Rebuild a lost workspace from its records backup…"))
	var gotRepo, gotPW string
	form := rebuildDialog(w, func(repo, pw string) { gotRepo, gotPW = repo, pw })
	form.submit()
	if d := dialogText(w); !strings.Contains(d, "Enter where the records backup is") {
		t.Fatalf("empty location: dialog %q", d)
	}
	closeDialogs(w)
	test.Type(form.repo, " "+repo+" ")
	test.Type(form.password, "records pass")
	form.submit()
	if gotRepo != repo || gotPW != "records pass" {
		t.Fatalf("rebuild asked with %q %q", gotRepo, gotPW)
	}

	f.rebuild(gotRepo, gotPW)
	if d := dialogText(w); !strings.Contains(d, "Sign in with the accounts of the lost workspace") || !strings.Contains(d, "0 problems") {
		t.Fatalf("after the rebuild: dialog %q", d)
	}
	if !shows(w.Content(), "Sign in to Cadang") {
		t.Fatalf("after the rebuild the window shows %q, want the login", texts(w.Content()))
	}
	if _, err := f.svc.Login(ctx, "admin", "correct horse"); err != nil {
		t.Fatalf("the lost workspace's administrator cannot sign in: %v", err)
	}
}
