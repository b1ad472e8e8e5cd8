package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// User is a local account.
type User struct {
	ID           int64
	Name         string
	FullName     string
	Role         string // user, staff, manager, admin
	Department   string
	PasswordHash string
	Disabled     bool
	FailedLogins int
	CreatedAt    time.Time
}

const userColumns = `id, name, full_name, role, department, password_hash, disabled, failed_logins, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created string
	if err := row.Scan(&u.ID, &u.Name, &u.FullName, &u.Role, &u.Department, &u.PasswordHash, &u.Disabled, &u.FailedLogins, &created); err != nil {
		return User{}, err
	}
	u.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return u, nil
}

// CreateUser adds u and returns its ID; a taken name wraps ErrConflict.
func (q queries) CreateUser(ctx context.Context, u User) (int64, error) {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now()
	}
	id, err := q.insertID(ctx,
		`INSERT INTO users (name, full_name, role, department, password_hash, disabled, created_at) VALUES (?,?,?,?,?,?,?)`,
		u.Name, u.FullName, u.Role, u.Department, u.PasswordHash, u.Disabled, u.CreatedAt.UTC().Format(time.RFC3339Nano))
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("create user %q: %w", u.Name, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("create user %q: %w", u.Name, err)
	}
	return id, nil
}

// UserByName finds an account by name (case-insensitive); missing wraps ErrNotFound.
func (q queries) UserByName(ctx context.Context, name string) (User, error) {
	u, err := scanUser(q.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("read user %q: %w", name, err)
	}
	return u, nil
}

// UserByID finds an account by ID.
func (q queries) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(q.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user #%d: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("read user #%d: %w", id, err)
	}
	return u, nil
}

// Users lists all accounts by name.
func (q queries) Users(ctx context.Context) ([]User, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers returns how many accounts exist (0 means first run).
func (q queries) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// UpdateUser saves every field of u except ID and CreatedAt.
func (q queries) UpdateUser(ctx context.Context, u User) error {
	res, err := q.db.ExecContext(ctx,
		`UPDATE users SET full_name=?, role=?, department=?, password_hash=?, disabled=?, failed_logins=? WHERE id=?`,
		u.FullName, u.Role, u.Department, u.PasswordHash, u.Disabled, u.FailedLogins, u.ID)
	if err != nil {
		return fmt.Errorf("update user %q: %w", u.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update user %q: %w", u.Name, ErrNotFound)
	}
	return nil
}

// Setting reads a setting; a missing key returns def.
func (q queries) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := q.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key=?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting writes a setting.
func (q queries) SetSetting(ctx context.Context, key, value string) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO settings(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}

// ReserveLoginAttempt counts one attempt against an active, unlocked
// account before its password is checked, so concurrent guesses cannot
// all pass the lockout check with the same count. It returns the new count
// and false when the account is disabled or already has max failures.
func (q queries) ReserveLoginAttempt(ctx context.Context, id int64, max int) (int, bool, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `UPDATE users SET failed_logins = failed_logins + 1
		WHERE id=? AND disabled=0 AND failed_logins < ? RETURNING failed_logins`, id, max).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("count login attempt of user #%d: %w", id, err)
	}
	return n, true, nil
}

// ClearFailedLogins ends a run of failed logins after the right password,
// unless the account was disabled meanwhile (then it reports false).
func (q queries) ClearFailedLogins(ctx context.Context, id int64) (bool, error) {
	ok, err := q.updateOne(ctx, `UPDATE users SET failed_logins=0 WHERE id=? AND disabled=0`, id)
	if err != nil {
		return false, fmt.Errorf("clear failed logins of user #%d: %w", id, err)
	}
	return ok, nil
}
