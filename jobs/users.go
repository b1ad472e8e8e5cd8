package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cadang/store"
)

// act re-reads the acting account and refuses it when it is gone, disabled
// or locked, or when its role is not one of roles (none given: any role).
// Every action starts here, so an account disabled after login stops at once.
func (s *Service) act(ctx context.Context, as User, what string, roles ...string) (store.User, error) {
	u, err := s.catalog.UserByID(ctx, as.ID)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, refusedf("%s: account %q no longer exists", what, as.Name)
	}
	if err != nil {
		return store.User{}, err
	}
	if u.Disabled {
		return store.User{}, refusedf("%s: account %q is disabled", what, u.Name)
	}
	if u.FailedLogins >= maxFailedLogins {
		return store.User{}, refusedf("%s: account %q is locked; ask an administrator to unlock it", what, u.Name)
	}
	if len(roles) > 0 && !slices.Contains(roles, u.Role) {
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = roleNames[r]
		}
		return store.User{}, refusedf("%s: only %s may do this; %q is %s", what, strings.Join(names, " or "), u.Name, roleNames[u.Role])
	}
	return u, nil
}

// roleNames are the roles as a refusal names them.
var roleNames = map[string]string{
	RoleUser:    "a department user",
	RoleStaff:   "IT staff",
	RoleManager: "an IT manager",
	RoleAdmin:   "an administrator",
}

// NewUser describes an account to create.
type NewUser struct {
	Name, FullName, Role, Department, Password string
}

// AddUser creates an account (administrators only).
func (s *Service) AddUser(ctx context.Context, as User, nu NewUser) (User, error) {
	if _, err := s.act(ctx, as, "add user", capabilityRoles[CapManageAccounts]...); err != nil {
		return User{}, err
	}
	if err := validateName(nu.Name); err != nil {
		return User{}, err
	}
	if !ValidRole(nu.Role) {
		return User{}, fmt.Errorf("add user %q: unknown role %q (user, staff, manager or admin)", nu.Name, nu.Role)
	}
	if err := validatePassword(nu.Password); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(nu.Password)
	if err != nil {
		return User{}, err
	}
	u := store.User{Name: nu.Name, FullName: nu.FullName, Role: nu.Role, Department: nu.Department, PasswordHash: hash, CreatedAt: s.now()}
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		if u.ID, err = tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "user.add", userObject(u.Name), "", nu.Role, "")
	})
	if err != nil {
		return User{}, err
	}
	return userFromStore(u), nil
}

// Users lists every account (any signed-in account may look: names appear on forms).
func (s *Service) Users(ctx context.Context, as User) ([]User, error) {
	if _, err := s.act(ctx, as, "list users"); err != nil {
		return nil, err
	}
	all, err := s.catalog.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(all))
	for _, u := range all {
		uu := userFromStore(u)
		uu.Locked = u.FailedLogins >= maxFailedLogins
		out = append(out, uu)
	}
	return out, nil
}

// SetUserDisabled disables or re-enables an account (administrators only;
// nobody disables themself, so an administrator always remains).
func (s *Service) SetUserDisabled(ctx context.Context, as User, name string, disabled bool) error {
	if _, err := s.act(ctx, as, "disable user", capabilityRoles[CapManageAccounts]...); err != nil {
		return err
	}
	return s.changeUser(ctx, name, func(tx *store.Tx, u *store.User) error {
		if u.ID == as.ID && disabled {
			return refusedf("disable user: you cannot disable your own account")
		}
		from, to := "enabled", "disabled"
		if !disabled {
			from, to = to, from
		}
		u.Disabled = disabled
		if err := tx.UpdateUser(ctx, *u); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "user."+strings.TrimSuffix(to, "d"), userObject(u.Name), from, to, "")
	})
}

// SetUserRole changes an account's role (administrators only). Nobody
// changes their own role, so an administrator always remains; the audit
// entry names the old and the new role.
func (s *Service) SetUserRole(ctx context.Context, as User, name, role string) error {
	if _, err := s.act(ctx, as, "change the role of "+name, RoleAdmin); err != nil {
		return err
	}
	if !ValidRole(role) {
		return fmt.Errorf("change the role of %q: unknown role %q (user, staff, manager or admin)", name, role)
	}
	// Read and write in one transaction with the audit entry, so a change
	// made meanwhile (a disable, a failed login) is never written back.
	return s.catalog.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByName(ctx, name)
		if err != nil {
			return err
		}
		if u.ID == as.ID {
			return refusedf("change the role of %s: you cannot change your own role; another administrator can", name)
		}
		if u.Role == role {
			return nil
		}
		from := u.Role
		u.Role = role
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, store.AuditEntry{At: s.now(), Actor: as.Name, Action: "user.role", Object: userObject(u.Name), FromState: from, ToState: role})
		return err
	})
}

// UnlockUser clears the failed-login count of a locked account (administrators only).
func (s *Service) UnlockUser(ctx context.Context, as User, name string) error {
	if _, err := s.act(ctx, as, "unlock user", capabilityRoles[CapManageAccounts]...); err != nil {
		return err
	}
	return s.changeUser(ctx, name, func(tx *store.Tx, u *store.User) error {
		u.FailedLogins = 0
		if err := tx.UpdateUser(ctx, *u); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "user.unlock", userObject(u.Name), "locked", "active", "")
	})
}

// SetPassword changes an account's password: one's own, or anyone's for an administrator.
func (s *Service) SetPassword(ctx context.Context, as User, name, password string) error {
	actor, err := s.act(ctx, as, "change password")
	if err != nil {
		return err
	}
	if err := validatePassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password) // slow: outside the write lock
	if err != nil {
		return err
	}
	return s.changeUser(ctx, name, func(tx *store.Tx, u *store.User) error {
		if u.ID != actor.ID && !roleCan(actor.Role, CapManageAccounts) {
			return refusedf("change password: only an administrator changes another account's password")
		}
		u.PasswordHash = hash
		if err := tx.UpdateUser(ctx, *u); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "user.password", userObject(u.Name), "", "", "")
	})
}

// changeUser reads an account and changes it inside one transaction, so a
// change made meanwhile by someone else is never written back stale.
func (s *Service) changeUser(ctx context.Context, name string, fn func(tx *store.Tx, u *store.User) error) error {
	return s.catalog.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByName(ctx, name)
		if err != nil {
			return err
		}
		return fn(tx, &u)
	})
}

func userObject(name string) string { return "user:" + name }
