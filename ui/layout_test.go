package ui

import (
	"context"
	"testing"
	"time"

	"cadang/jobs"
)

// maxPageWidth is what fits beside the navigation in the default
// 1120-pixel window. A wider page makes Fyne grow the window past a
// laptop screen and clips the buttons at its right edge (seen on the
// first screenshots), so every page must fit, in both languages and for
// every role.
const maxPageWidth = 850

func TestPagesFitTheWindow(t *testing.T) {
	w := newTestWindow(t)
	t.Cleanup(func() { applyLanguage(LangEnglish) })
	o := newOffice(t)
	ctx := context.Background()
	if _, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	o.request(t, jobs.KindRestore, time.Now(), "/srv/restore/finance/a/rather/long/destination/folder/for/the/restore")
	for _, code := range []string{LangEnglish, LangIndonesian} {
		if err := applyLanguage(code); err != nil {
			t.Fatal(err)
		}
		for _, u := range []jobs.User{o.admin, o.manager, o.staff, o.member} {
			sh := newShell(shellDeps{a: o.sessionFor(w, u)}, "", nil)
			for _, p := range sh.pages() {
				if got := p.view().MinSize().Width; got > maxPageWidth {
					t.Errorf("%s, %s: page %s needs %.0f px, more than %d", code, u.Role, p.name, got, maxPageWidth)
				}
			}
		}
	}
}
