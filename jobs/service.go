package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine/secrets"
	"cadang/store"
)

// Roles, from least to most privileged.
const (
	RoleUser    = "user"    // a department: asks for backups and restores
	RoleStaff   = "staff"   // IT staff: schedules, runs, restores, files documents
	RoleManager = "manager" // IT manager: analyses and approves
	RoleAdmin   = "admin"   // administrator: accounts and settings
)

// ValidRole reports whether r is one of the four roles.
func ValidRole(r string) bool {
	switch r {
	case RoleUser, RoleStaff, RoleManager, RoleAdmin:
		return true
	}
	return false
}

// ErrRefused marks an action the procedure's rules do not allow (wrong role,
// not approved, self-approval, bad login). The command line exits 3 on it;
// the window shows its message.
var ErrRefused = errors.New("refused")

// refusedf builds an error wrapping ErrRefused with a message for a person.
func refusedf(format string, a ...any) error {
	return &RefusedError{msg: fmt.Sprintf(format, a...), format: format, args: a}
}

// RefusedError is a refusal with its reason; it matches ErrRefused.
type RefusedError struct {
	msg    string
	format string
	args   []any
	// AttemptsLeft is set on a wrong password: how many more wrong
	// passwords lock the account (0 when this one locked it).
	AttemptsLeft int
}

func (e *RefusedError) Error() string { return e.msg }

// Template returns the English format and its arguments, so that the window
// can show the refusal in the person's language.
func (e *RefusedError) Template() (format string, args []any) { return e.format, e.args }

func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// ErrSetupNeeded is returned by Login before the first administrator exists.
var ErrSetupNeeded = errors.New("this workspace has no accounts yet: run the first-time setup")

// Options configure a Service; the zero value works.
type Options struct {
	Logger *slog.Logger
	// Clock drives the scheduler and timestamps; defaults to the real clock.
	// Tests pass clockwork.NewFakeClock().
	Clock clockwork.Clock
	// Now is kept for callers that only need timestamps; Clock wins when both are set.
	Now func() time.Time
	// Engine opens backup repositories; defaults to the real engine on a
	// local or mounted folder.
	Engine Engine
	// Replicator copies a repository to a named replica after a backup;
	// defaults to EngineReplicator (the replicas of `cadang replica add`).
	Replicator Replicator
	// MaxRestoreAttempts bounds "restore again" after a failed check (SOP 5.4d); default 3.
	MaxRestoreAttempts int
	// ReplicaRetryDelays are the waits before each retry of a run's failed
	// offsite copy; nil means DefaultReplicaRetryDelays.
	ReplicaRetryDelays []time.Duration
	// Catalog, when set, is the shared catalog (postgres://USER@HOST:PORT/DB,
	// no password) the workspace joins: a new workspace records it in
	// catalog.url; one with another catalog is refused. Empty: the
	// workspace's own catalog (catalog.url, else catalog.db).
	Catalog string
	// PollInterval is how often the events of other processes are looked
	// for: default DefaultPollInterval on SQLite; a shared catalog notifies
	// at once and is looked at every 30 seconds besides.
	PollInterval time.Duration
	// DocumentKeyFile holds the key verification codes are derived with;
	// default WORKSPACE/keys/documents.key (DefaultDocumentKeyFile). Put it
	// where those who can write the workspace cannot read it to make codes
	// unforgeable by them too (docs/PROCEDURE.md).
	DocumentKeyFile string
}

// Service is the procedure over one workspace.
type Service struct {
	dir     string
	catalog *store.Catalog
	log     *slog.Logger
	clock   clockwork.Clock
	now     func() time.Time
	engine  Engine
	repl    Replicator
	retries int
	events  *broker
	relay   *relay
	running *runGuard

	replRetry *replicaRetries

	hooksMu       sync.Mutex
	onJobsChanged func() // set while a Scheduler runs

	closeOnce sync.Once // Close may be called twice (a test's cleanup after the test)
	closeErr  error

	keyFile string
	keyMu   sync.Mutex
	docKey  []byte // loaded on first use

	// checkPassword is CheckPassword; a test wraps it to act while a login hashes.
	checkPassword func(hash, password string) (bool, error)
}

// CatalogFile is the catalog's name inside a workspace.
const CatalogFile = "catalog.db"

// OpenWorkspace opens (creating if needed) the workspace at dir.
func OpenWorkspace(ctx context.Context, dir string, opt Options) (*Service, error) {
	if dir == "" {
		return nil, errors.New("open workspace: no directory given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", dir, err)
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("open workspace %s: it is a file, not a directory", abs)
	}
	for _, sub := range []string{"", "documents", "logs"} {
		if err := os.MkdirAll(filepath.Join(abs, sub), 0o700); err != nil {
			return nil, fmt.Errorf("open workspace %s: %w", abs, err)
		}
	}
	cat, err := openCatalog(ctx, abs, opt.Catalog)
	if err != nil {
		return nil, err
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Clock == nil {
		opt.Clock = clockwork.NewRealClock()
		if opt.Now != nil {
			opt.Clock = nowClock{Clock: opt.Clock, now: opt.Now}
		}
	}
	if opt.Engine == nil {
		opt.Engine = LocalEngine{}
	}
	if opt.Replicator == nil {
		opt.Replicator = EngineReplicator{Now: opt.Clock.Now}
	}
	if opt.MaxRestoreAttempts <= 0 {
		opt.MaxRestoreAttempts = 3
	}
	if opt.ReplicaRetryDelays == nil {
		opt.ReplicaRetryDelays = DefaultReplicaRetryDelays
	}
	if opt.PollInterval <= 0 {
		opt.PollInterval = DefaultPollInterval
		if cat.Shared() {
			opt.PollInterval = 30 * time.Second // notified at once; this is the safety net
		}
	}
	s := &Service{dir: abs, catalog: cat, log: slog.New(secrets.LogHandler(opt.Logger.Handler())), clock: opt.Clock, now: opt.Clock.Now,
		engine: opt.Engine, repl: opt.Replicator, retries: opt.MaxRestoreAttempts,
		events: newBroker(), running: newRunGuard(), replRetry: newReplicaRetries(opt.ReplicaRetryDelays), keyFile: opt.DocumentKeyFile,
		checkPassword: CheckPassword}
	s.relay = &relay{poll: opt.PollInterval}
	if s.keyFile == "" {
		s.keyFile = filepath.Join(abs, filepath.FromSlash(DefaultDocumentKeyFile))
	}
	if err := s.seedSettings(ctx); err != nil {
		s.relay.close()
		cat.Close()
		return nil, err
	}
	if from, upgraded := cat.UpgradedFrom(); upgraded && from < schemaApprovalsNameRevision {
		if err := s.adoptApprovals(ctx, from); err != nil {
			cat.Close()
			return nil, err
		}
	}
	return s, nil
}

// Dir is the workspace directory.
func (s *Service) Dir() string { return s.dir }

// Catalog gives the store to code inside the procedure layer and tests.
func (s *Service) Catalog() *store.Catalog { return s.catalog }

// Close drops pending replica retries, closes the catalog and ends every
// event subscription; closing again does nothing.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.replRetry.close()
		s.relay.close()
		s.events.close()
		s.closeErr = s.catalog.Close()
	})
	return s.closeErr
}

// nowClock is the real clock with a caller's time source, for Options.Now.
type nowClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c nowClock) Now() time.Time { return c.now() }

// NeedsSetup reports whether the workspace has no accounts yet.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	n, err := s.catalog.CountUsers(ctx)
	return n == 0, err
}

// SetupOptions describe the first run.
type SetupOptions struct {
	Admin    string
	FullName string
	Password string
	Company  string // optional: shown on forms
	// Records, when its Repository is set, defines the built-in job that
	// backs up the workspace itself every night; the setup approves it.
	Records RecordsOptions
}

// Setup creates the first administrator. It refuses when accounts exist.
func (s *Service) Setup(ctx context.Context, opt SetupOptions) (User, error) {
	need, err := s.NeedsSetup(ctx)
	if err != nil {
		return User{}, err
	}
	if !need {
		return User{}, refusedf("setup: workspace %s already has accounts; log in instead", s.dir)
	}
	if err := validateName(opt.Admin); err != nil {
		return User{}, err
	}
	if err := validatePassword(opt.Password); err != nil {
		return User{}, err
	}
	if opt.Records.Repository != "" { // found wrong before anything is created
		spec, err := s.recordsSpec(opt.Records)
		if err != nil {
			return User{}, fmt.Errorf("setup: %w", err)
		}
		if err := s.openRecordsRepository(ctx, spec, opt.Records.Password); err != nil {
			return User{}, fmt.Errorf("setup: %w", err)
		}
	}
	hash, err := HashPassword(opt.Password)
	if err != nil {
		return User{}, err
	}
	u := store.User{Name: opt.Admin, FullName: opt.FullName, Role: RoleAdmin, PasswordHash: hash, CreatedAt: s.now()}
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		// Counted again under the write lock: two first runs at once make one administrator.
		if n, err := tx.CountUsers(ctx); err != nil || n > 0 {
			return errors.Join(err, refusedf("setup: workspace %s already has accounts; log in instead", s.dir))
		}
		var err error
		if u.ID, err = tx.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		if opt.Company != "" {
			if err := tx.SetSetting(ctx, "company.name", opt.Company); err != nil {
				return err
			}
		}
		return s.auditIn(ctx, tx, u.Name, "setup", userObject(u.Name), "", RoleAdmin, "first administrator")
	})
	if err != nil {
		return User{}, err
	}
	if opt.Records.Repository != "" {
		if _, err := s.defineRecords(ctx, u, opt.Records, true); err != nil {
			return User{}, fmt.Errorf("setup: %w", err)
		}
	}
	return userFromStore(u), nil
}

// User is an account as the procedure sees it (no password hash).
type User struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	FullName   string `json:"full_name,omitempty"`
	Role       string `json:"role"`
	Department string `json:"department,omitempty"`
	Disabled   bool   `json:"disabled,omitempty"`
	Locked     bool   `json:"locked,omitempty"` // too many wrong passwords; an administrator unlocks
}

// DisplayName is the full name when known, else the login name.
func (u User) DisplayName() string {
	if u.FullName != "" {
		return u.FullName
	}
	return u.Name
}

func userFromStore(u store.User) User {
	return User{ID: u.ID, Name: u.Name, FullName: u.FullName, Role: u.Role, Department: u.Department, Disabled: u.Disabled}
}

// maxFailedLogins locks an account after that many wrong passwords in a row;
// an administrator unlocks it.
const maxFailedLogins = 5

// Login checks a name and password and returns the account. Each attempt
// is counted against the account before the password is checked, so
// guesses made at once cannot all slip under the lockout; the right
// password then clears the count, unless the account was disabled meanwhile.
func (s *Service) Login(ctx context.Context, name, password string) (User, error) {
	if need, err := s.NeedsSetup(ctx); err != nil {
		return User{}, err
	} else if need {
		return User{}, ErrSetupNeeded
	}
	u, err := s.catalog.UserByName(ctx, strings.TrimSpace(name))
	if errors.Is(err, store.ErrNotFound) {
		return User{}, refusedf("login: wrong user name or password")
	}
	if err != nil {
		return User{}, err
	}
	var attempt int
	var open bool
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		attempt, open, err = tx.ReserveLoginAttempt(ctx, u.ID, maxFailedLogins)
		return err
	})
	if err != nil {
		return User{}, err
	}
	if !open {
		if cur, err := s.catalog.UserByID(ctx, u.ID); err == nil {
			u = cur
		}
		if u.Disabled {
			return User{}, refusedf("login: account %q is disabled; ask an administrator", u.Name)
		}
		return User{}, refusedf("login: account %q is locked after %d wrong passwords; ask an administrator", u.Name, u.FailedLogins)
	}
	ok, err := s.checkPassword(u.PasswordHash, password)
	if err != nil {
		return User{}, fmt.Errorf("login %q: %w", u.Name, err)
	}
	if !ok {
		to := ""
		if attempt >= maxFailedLogins {
			to = "locked"
		}
		if err := s.audit(ctx, u.Name, "login.failed", userObject(u.Name), "", to, fmt.Sprintf("wrong password (%d in a row)", attempt)); err != nil {
			return User{}, err
		}
		return User{}, &RefusedError{msg: "login: wrong user name or password", format: "login: wrong user name or password",
			AttemptsLeft: maxFailedLogins - attempt}
	}
	var active bool
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		active, err = tx.ClearFailedLogins(ctx, u.ID)
		return err
	})
	if err != nil {
		return User{}, err
	}
	if !active {
		return User{}, refusedf("login: account %q is disabled; ask an administrator", u.Name)
	}
	cur, err := s.catalog.UserByID(ctx, u.ID) // the role as it is now, not as first read
	if err != nil {
		return User{}, err
	}
	return userFromStore(cur), nil
}

func validateName(name string) error {
	if strings.TrimSpace(name) == "" || name != strings.TrimSpace(name) || len(name) > 64 || strings.ContainsAny(name, "\n\r\t") {
		return fmt.Errorf("invalid account name %q: 1–64 characters, no surrounding spaces", name)
	}
	return nil
}

func validatePassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLength {
		return fmt.Errorf("password too short: at least %d characters", MinPasswordLength)
	}
	return nil
}
