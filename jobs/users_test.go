package jobs

import (
	"errors"
	"testing"
)

// An administrator changes a role, audited with the old and new role;
// nobody changes their own, and only administrators change any.
func TestSetUserRole(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.SetUserRole(f.ctx, f.admin, "yoga", RoleManager); err != nil {
		t.Fatal(err)
	}
	u, err := f.svc.catalog.UserByName(f.ctx, "yoga")
	if err != nil || u.Role != RoleManager {
		t.Fatalf("yoga is %q (%v), want manager", u.Role, err)
	}
	tests := []struct {
		name    string
		as      User
		who     string
		role    string
		refused bool
	}{
		{"one's own role", f.admin, "admin", RoleUser, true},
		{"not an administrator", f.mgr, "siti", RoleAdmin, true},
		{"an unknown role", f.admin, "siti", "boss", false},
	}
	for _, tt := range tests {
		err := f.svc.SetUserRole(f.ctx, tt.as, tt.who, tt.role)
		if err == nil || errors.Is(err, ErrRefused) != tt.refused {
			t.Errorf("%s: %v, want an error (refused %v)", tt.name, err, tt.refused)
		}
	}
	entries, err := f.svc.Audit(f.ctx, f.admin, AuditFilter{Object: "user:yoga"})
	if err != nil || len(entries) != 1 || entries[0].Action != "user.role" || entries[0].FromState != RoleStaff || entries[0].ToState != RoleManager {
		t.Errorf("audit %+v, %v; want one user.role staff -> manager", entries, err)
	}
}
