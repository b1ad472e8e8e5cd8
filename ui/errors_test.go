package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"cadang/jobs"
)

// Errors from jobs read in Indonesian under Indonesian titles, values
// kept: a bad window or cron expression, a typed time, a wrapped cause.
func TestValidationMessagesTranslated(t *testing.T) {
	newTestWindow(t)
	t.Cleanup(func() { applyLanguage(LangEnglish) })
	if err := applyLanguage(LangIndonesian); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		msg      string
		want     []string
		notWants []string
	}{
		{`job "hr": window "25:99-23:00": "25:99" is not HH:MM`, []string{`Tugas "hr"`, `"25:99" bukan jam HH:MM`}, []string{"is not", "window"}},
		{`job "hr": cron expression "0 21 *": expected exactly 5 fields, found 3: [0 21 *]`, []string{"ekspresi cron", "harus tepat 5 bagian", "ada 3"}, []string{"expected"}},
		{`time "kemarin": want YYYY-MM-DD HH:MM (or YYYY-MM-DD for a whole day)`, []string{`"kemarin"`, "tulis YYYY-MM-DD"}, []string{"want"}},
	}
	for _, tt := range tests {
		got := translateMessage(tt.msg)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%q reads %q; want it to contain %q", tt.msg, got, w)
			}
		}
		for _, w := range tt.notWants {
			if strings.Contains(got, w) {
				t.Errorf("%q reads %q; English %q is left", tt.msg, got, w)
			}
		}
		if title := errorTitle(errors.New(tt.msg)); title == "Something went wrong" || title != "Tidak dapat diselesaikan" {
			t.Errorf("title %q", title)
		}
	}
}

// A wrong password is a failed sign-in, not "a rule of the backup
// procedure", and says how many attempts remain before the lock.
func TestLoginErrorSaysAttemptsLeft(t *testing.T) {
	newTestWindow(t)
	svc, _ := withAdmin(t)
	_, err := svc.Login(context.Background(), "budi", "not his password")
	var refused *jobs.RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("wrong password: %v", err)
	}
	what, todo := explain(err)
	if title := errorTitle(err); title != "Sign-in failed" {
		t.Errorf("title %q, want Sign-in failed", title)
	}
	if strings.Contains(todo, "rule of the backup procedure") || !strings.Contains(todo, fmt.Sprintf("%d more wrong passwords lock this account", refused.AttemptsLeft)) {
		t.Errorf("what %q, todo %q; want the attempts left (%d)", what, todo, refused.AttemptsLeft)
	}
	// Refusals of the procedure keep their own title.
	if title := errorTitle(&jobs.RefusedError{}); title != "Not allowed by the procedure" {
		t.Errorf("a refusal's title %q", title)
	}
}
