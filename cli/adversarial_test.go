package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"golang.org/x/crypto/argon2"

	"cadang/internal/statetest"
	"cadang/jobs"
	"cadang/store"
)

// TestAdversarialNothingGoesAroundTheControls tries each way around the
// approval from each entry point: the Service calls the window makes, the
// command line and the scheduler. Every attempt is refused in one clear
// line (exit 3 on the command line) and writes nothing: every catalog
// table, documents/, logs/, keys/, the repository and the restore
// destinations are as they were, and the audit log gains exactly what the
// attempt says (a "run.refused" entry, or nothing).
func TestAdversarialNothingGoesAroundTheControls(t *testing.T) {
	a := newAdversary(t)
	for _, at := range a.attempts() {
		t.Run(at.name, func(t *testing.T) {
			if at.window != nil {
				a.try(t, "window", at.audit, func() string {
					err := at.window()
					if !isRefused(err) {
						t.Errorf("window: err = %v, want a refusal (jobs.ErrRefused)", err)
						return ""
					}
					return err.Error()
				}, at.want)
			}
			if at.cli != nil {
				a.try(t, "command line", at.cliAudit(), func() string {
					code, _, stderr := run(t, append(at.cli, "--workspace", a.ws)...)
					if code != ExitRefused {
						t.Errorf("%v: exit %d, want %d (stderr %q)", at.cli, code, ExitRefused, stderr)
					}
					return strings.TrimSuffix(stderr, "\n")
				}, at.want)
			}
		})
	}
	t.Run("scheduler", a.scheduler)
}

// adversary is a workspace set up with something to go around in every
// state: jobs draft to retired, requests approved and not, an engine
// repository with a snapshot, and one account per role.
type adversary struct {
	t                                    *testing.T
	ctx                                  context.Context
	ws, repo, src, target, elsewhere     string
	offsite                              string // the folder of keu's approved replica
	svc                                  *jobs.Service
	clock                                *clockwork.FakeClock
	log                                  logLines
	admin, staff, mgr, mgr2, dept, ex    jobs.User
	sched                                jobs.User         // the scheduler's service account
	pw                                   map[string]string // login files
	byName                               map[string]jobs.User
	staleRev                             string
	reqElsewhere, reqEdited, reqNoBackup int64
	reqMine, reqSubmitted, reqOther      int64
	reqHandJob                           int64 // an approved backup request of the job changed by hand
	reqSubmittedByMgr                    int64 // a department's request the manager submitted for them
}

func newAdversary(t *testing.T) *adversary {
	ctx := context.Background()
	base := t.TempDir()
	a := &adversary{t: t, ctx: ctx, ws: filepath.Join(base, "ws"), repo: filepath.Join(base, "repo"), src: filepath.Join(base, "data"),
		target: filepath.Join(base, "approved-target"), elsewhere: filepath.Join(base, "elsewhere"), offsite: filepath.Join(base, "offsite"),
		clock: clockwork.NewFakeClockAt(time.Now().Truncate(time.Minute)), log: make(logLines, 4096), pw: map[string]string{}, byName: map[string]jobs.User{}}
	if err := os.MkdirAll(a.src, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(a.src, "laporan.txt"), []byte("laporan keuangan"), 0o600); err != nil {
		t.Fatal(err)
	}
	svc, err := jobs.OpenWorkspace(ctx, a.ws, jobs.Options{Clock: a.clock, Logger: slog.New(a.log)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	a.svc = svc
	// Accounts at the cheapest cost CheckPassword accepts: every command
	// below logs in once.
	mk := func(name, role string) jobs.User {
		pw := name + "-pass-1"
		id, err := svc.Catalog().CreateUser(ctx, store.User{Name: name, FullName: "Full " + name, Role: role, PasswordHash: cheapestHash(t, pw), CreatedAt: a.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		a.pw[name] = writeFile(t, name+".pw", pw+"\n")
		a.byName[name] = jobs.User{ID: id, Name: name, Role: role}
		return a.byName[name]
	}
	a.admin, a.staff, a.mgr, a.mgr2 = mk("admin", jobs.RoleAdmin), mk("yoga", jobs.RoleStaff), mk("gideon", jobs.RoleManager), mk("kezia", jobs.RoleManager)
	a.dept, a.ex, a.sched = mk("siti", jobs.RoleUser), mk("mantan", jobs.RoleStaff), mk("jadwal", jobs.RoleStaff)
	a.must(svc.SetUserDisabled(ctx, a.admin, a.ex.Name, true))
	a.setUpJobs()
	a.setUpRequests()
	return a
}

func (a *adversary) must(err error) {
	a.t.Helper()
	if err != nil {
		a.t.Fatal(err)
	}
}

// cron runs a job daily at the clock's time plus d (distinct times, so the
// scheduler's attempts fire one at a time).
func (a *adversary) cron(d time.Duration) jobs.Schedule {
	at := a.clock.Now().Add(d)
	return jobs.Schedule{Kind: jobs.ScheduleCron, Cron: fmt.Sprintf("%d %d * * *", at.Minute(), at.Hour())}
}

func (a *adversary) define(name string, sc jobs.Schedule) {
	a.t.Helper()
	_, err := a.svc.CreateJob(a.ctx, a.staff, jobs.JobSpec{Name: name, Sources: []string{a.src}, Repository: a.repo, Schedule: sc})
	a.must(err)
}

func (a *adversary) rev(name string) string {
	a.t.Helper()
	j, err := a.svc.Job(a.ctx, a.mgr, name)
	a.must(err)
	return j.RevisionHash
}

func (a *adversary) approve(name string) {
	a.t.Helper()
	_, err := a.svc.SubmitJob(a.ctx, a.staff, name)
	a.must(err)
	_, err = a.svc.ApproveJob(a.ctx, a.mgr, name, a.rev(name))
	a.must(err)
}

// setUpJobs: keu (approved, one backup) and a job in every other state,
// all writing the same repository.
func (a *adversary) setUpJobs() {
	a.define("keu", a.cron(5*time.Hour))
	a.approve("keu")
	run, err := a.svc.RunJob(a.ctx, a.staff, "keu", jobs.RunOptions{})
	if err != nil || run.Status != jobs.RunSuccess {
		a.t.Fatalf("keu's first run: %s, %v", run.Status, err)
	}
	a.define("draft", a.cron(time.Hour))
	a.define("submitted", a.cron(time.Hour))
	_, err = a.svc.SubmitJob(a.ctx, a.staff, "submitted")
	a.must(err)
	a.define("rejected", a.cron(time.Hour))
	_, err = a.svc.SubmitJob(a.ctx, a.staff, "rejected")
	a.must(err)
	_, err = a.svc.RejectJob(a.ctx, a.mgr, "rejected", "not now")
	a.must(err)
	for _, name := range []string{"paused", "retired", "handedited", "handapproved"} {
		sc := a.cron(time.Hour)
		switch name {
		case "handedited":
			sc = a.cron(2 * time.Hour)
		case "handapproved":
			sc = a.cron(3 * time.Hour)
		}
		a.define(name, sc)
		a.approve(name)
	}
	_, err = a.svc.PauseJob(a.ctx, a.staff, "paused")
	a.must(err)
	_, err = a.svc.RetireJob(a.ctx, a.staff, "retired")
	a.must(err)
	// Approved, then widened and given a retention in catalog.db by hand.
	statetest.Exec(a.t, filepath.Join(a.ws, jobs.CatalogFile), `UPDATE jobs SET sources='["/"]', retention='{"keep_last":1}' WHERE name='handedited'`)
	// The same, with its approved revision written there too (a hash anyone
	// can compute); the audit log is left as it was.
	statetest.Exec(a.t, filepath.Join(a.ws, jobs.CatalogFile), `UPDATE jobs SET sources='["/"]' WHERE name='handapproved'`)
	hand, err := a.svc.Job(a.ctx, a.mgr, "handapproved")
	a.must(err)
	statetest.Exec(a.t, filepath.Join(a.ws, jobs.CatalogFile), `UPDATE jobs SET approved_revision=? WHERE name='handapproved'`, hand.RevisionHash)
	// Reviewed by a manager at one revision, changed by IT staff since.
	a.define("stale", a.cron(time.Hour))
	_, err = a.svc.SubmitJob(a.ctx, a.staff, "stale")
	a.must(err)
	a.staleRev = a.rev("stale")
	j, err := a.svc.Job(a.ctx, a.staff, "stale")
	a.must(err)
	j.Excludes = []string{"*.tmp"}
	_, err = a.svc.EditJob(a.ctx, a.staff, "stale", j.JobSpec)
	a.must(err)
	// A staff member's draft that an IT manager submitted.
	a.define("mine", a.cron(time.Hour))
	_, err = a.svc.SubmitJob(a.ctx, a.mgr, "mine")
	a.must(err)
	// A job an IT manager wrote, then IT staff touched and submitted.
	_, err = a.svc.CreateJob(a.ctx, a.mgr, jobs.JobSpec{Name: "mgrjob", Sources: []string{a.src}, Repository: a.repo, Schedule: a.cron(time.Hour)})
	a.must(err)
	j, err = a.svc.Job(a.ctx, a.staff, "mgrjob")
	a.must(err)
	j.Excludes = []string{"*.bak"}
	_, err = a.svc.EditJob(a.ctx, a.staff, "mgrjob", j.JobSpec)
	a.must(err)
	_, err = a.svc.SubmitJob(a.ctx, a.staff, "mgrjob")
	a.must(err)
	// keu sends its backups to an offsite replica, approved.
	_, err = a.svc.AddReplica(a.ctx, a.staff, a.repo, jobs.ReplicaSpec{Name: "offsite", URL: a.offsite})
	a.must(err)
	j, err = a.svc.Job(a.ctx, a.staff, "keu")
	a.must(err)
	j.Replicas = []string{"offsite"}
	_, err = a.svc.EditJob(a.ctx, a.staff, "keu", j.JobSpec)
	a.must(err)
	_, err = a.svc.ApproveJob(a.ctx, a.mgr, "keu", a.rev("keu"))
	a.must(err)
}

func (a *adversary) ask(as jobs.User, nr jobs.NewRequest) int64 {
	a.t.Helper()
	nr.Job, nr.Reason = "keu", "adversary"
	r, err := a.svc.CreateRequest(a.ctx, as, nr)
	a.must(err)
	_, err = a.svc.SubmitRequest(a.ctx, as, r.ID)
	a.must(err)
	return r.ID
}

func (a *adversary) setUpRequests() {
	restore := jobs.NewRequest{Kind: jobs.KindRestore, RequestedAt: time.Now().Add(time.Minute), Target: a.target}
	approve := func(id int64) {
		r, err := a.svc.Request(a.ctx, a.mgr, id)
		a.must(err)
		_, err = a.svc.ApproveRequest(a.ctx, a.mgr, id, r.RevisionHash)
		a.must(err)
	}
	a.reqElsewhere = a.ask(a.dept, restore)
	approve(a.reqElsewhere)
	a.reqEdited = a.ask(a.dept, restore)
	approve(a.reqEdited)
	statetest.Exec(a.t, filepath.Join(a.ws, jobs.CatalogFile), `UPDATE requests SET target=? WHERE id=?`, a.elsewhere, a.reqEdited)
	a.reqNoBackup = a.ask(a.dept, jobs.NewRequest{Kind: jobs.KindRestore, RequestedAt: time.Date(2001, 1, 1, 0, 0, 0, 0, time.Local), Target: a.target})
	a.reqMine = a.ask(a.mgr, jobs.NewRequest{Kind: jobs.KindBackup})
	a.reqSubmitted = a.ask(a.dept, restore)
	a.reqOther = a.ask(a.staff, restore) // IT's own, not the department's
	r, err := a.svc.CreateRequest(a.ctx, a.dept, jobs.NewRequest{Kind: jobs.KindBackup, Job: "handedited", Reason: "adversary"})
	a.must(err)
	_, err = a.svc.SubmitRequest(a.ctx, a.dept, r.ID)
	a.must(err)
	a.reqHandJob = r.ID
	approve(a.reqHandJob)
	r, err = a.svc.CreateRequest(a.ctx, a.dept, jobs.NewRequest{Kind: jobs.KindBackup, Job: "keu", Reason: "adversary"})
	a.must(err)
	_, err = a.svc.SubmitRequest(a.ctx, a.mgr, r.ID)
	a.must(err)
	a.reqSubmittedByMgr = r.ID
}

// attempt is one way around a control, from the window and the command line.
type attempt struct {
	name   string
	want   string       // what the one-line refusal mentions
	audit  []string     // what the audit log gains ("run.refused" or nothing)
	window func() error // the Service call the window makes; nil: no such button
	cli    []string     // the command line; nil: no such command
	// cliGains, when set, is what the command line's attempt adds to the
	// audit log instead of audit.
	cliGains []string
}

func (at attempt) cliAudit() []string {
	if at.cliGains != nil {
		return at.cliGains
	}
	return at.audit
}

func (a *adversary) as(u jobs.User) []string {
	return []string{"--as", u.Name, "--login-file", a.pw[u.Name]}
}

func (a *adversary) attempts() []attempt {
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	refused := []string{"run.refused"}
	var out []attempt
	for _, job := range []string{"draft", "submitted", "rejected", "paused", "retired"} {
		out = append(out, attempt{name: "run a " + job + " job", want: "not approved", audit: refused,
			window: func() error { _, err := a.svc.RunJob(a.ctx, a.staff, job, jobs.RunOptions{}); return err },
			cli:    append([]string{"job", "run", job}, a.as(a.staff)...)})
	}
	reqRev := func(n int64) string {
		r, err := a.svc.Request(a.ctx, a.mgr, n)
		a.must(err)
		return r.RevisionHash
	}
	out = append(out,
		attempt{name: "run a job changed in the catalog after its approval", want: "differs from the definition the IT manager approved", audit: refused,
			window: func() error { _, err := a.svc.RunJob(a.ctx, a.staff, "handedited", jobs.RunOptions{}); return err },
			cli:    append([]string{"job", "run", "handedited"}, a.as(a.staff)...)},
		attempt{name: "run a job whose approval was written into the catalog", want: "records no approval of revision", audit: refused,
			window: func() error { _, err := a.svc.RunJob(a.ctx, a.staff, "handapproved", jobs.RunOptions{}); return err },
			cli:    append([]string{"job", "run", "handapproved"}, a.as(a.staff)...)},
		attempt{name: "apply a retention changed in the catalog", want: "not the approved one",
			window: func() error { _, _, err := a.svc.ApplyRetention(a.ctx, a.staff, "handedited", false); return err }},
		attempt{name: "approve a job changed since it was reviewed", want: "changed since you reviewed it",
			window: func() error { _, err := a.svc.ApproveJob(a.ctx, a.mgr2, "stale", a.staleRev); return err },
			cli:    append([]string{"job", "approve", "stale", "--revision", a.staleRev}, a.as(a.mgr2)...)},
		attempt{name: "approve a job without naming the revision", want: "name the revision",
			window: func() error { _, err := a.svc.ApproveJob(a.ctx, a.mgr2, "stale", ""); return err },
			cli:    append([]string{"job", "approve", "stale"}, a.as(a.mgr2)...)},
		attempt{name: "approve a job one submitted", want: "another IT manager",
			window: func() error { _, err := a.svc.ApproveJob(a.ctx, a.mgr, "mine", a.rev("mine")); return err },
			cli:    append([]string{"job", "approve", "mine", "--revision", a.rev("mine")}, a.as(a.mgr)...)},
		attempt{name: "IT staff approve a job", want: "may do this",
			window: func() error { _, err := a.svc.ApproveJob(a.ctx, a.staff, "mine", a.rev("mine")); return err },
			cli:    append([]string{"job", "approve", "mine", "--revision", a.rev("mine")}, a.as(a.staff)...)},
		attempt{name: "restore to another destination than the approved one", want: "needs a new request", audit: refused,
			window: func() error {
				_, err := a.svc.RunRequest(a.ctx, a.staff, a.reqElsewhere, jobs.RunRequestOptions{Target: a.elsewhere})
				return err
			},
			cli: append([]string{"request", "run", id(a.reqElsewhere), "--target", a.elsewhere}, a.as(a.staff)...)},
		attempt{name: "run a request whose destination was changed in the catalog", want: "differs from what the IT manager approved", audit: refused,
			window: func() error {
				_, err := a.svc.RunRequest(a.ctx, a.staff, a.reqEdited, jobs.RunRequestOptions{})
				return err
			},
			cli: append([]string{"request", "run", id(a.reqEdited)}, a.as(a.staff)...)},
		attempt{name: "run a backup request of a job changed in the catalog after its approval", want: "differs from the definition the IT manager approved", audit: refused,
			window: func() error {
				_, err := a.svc.RunRequest(a.ctx, a.staff, a.reqHandJob, jobs.RunRequestOptions{})
				return err
			},
			cli: append([]string{"request", "run", id(a.reqHandJob)}, a.as(a.staff)...)},
		attempt{name: "run a request not yet approved", want: "not approved", audit: refused,
			window: func() error {
				_, err := a.svc.RunRequest(a.ctx, a.staff, a.reqSubmitted, jobs.RunRequestOptions{})
				return err
			},
			cli: append([]string{"request", "run", id(a.reqSubmitted)}, a.as(a.staff)...)},
		attempt{name: "a department user carries out a request", want: "may do this", audit: refused,
			window: func() error {
				_, err := a.svc.RunRequest(a.ctx, a.dept, a.reqElsewhere, jobs.RunRequestOptions{})
				return err
			},
			cli: append([]string{"request", "run", id(a.reqElsewhere)}, a.as(a.dept)...)},
		attempt{name: "approve a restore with no backup at or before its time", want: "no backup at or before",
			window: func() error {
				_, err := a.svc.ApproveRequest(a.ctx, a.mgr, a.reqNoBackup, reqRev(a.reqNoBackup))
				return err
			},
			cli: append([]string{"request", "approve", id(a.reqNoBackup), "--revision", reqRev(a.reqNoBackup)}, a.as(a.mgr)...)},
		attempt{name: "approve one's own request", want: "own request",
			window: func() error { _, err := a.svc.ApproveRequest(a.ctx, a.mgr, a.reqMine, reqRev(a.reqMine)); return err },
			cli:    append([]string{"request", "approve", id(a.reqMine), "--revision", reqRev(a.reqMine)}, a.as(a.mgr)...)},
		attempt{name: "a department user reads another's request", want: "another's request",
			window: func() error { _, err := a.svc.Request(a.ctx, a.dept, a.reqOther); return err },
			cli:    append([]string{"request", "show", id(a.reqOther)}, a.as(a.dept)...)},
		attempt{name: "a department user lists the documents of another's request", want: "another's request",
			window: func() error {
				_, err := a.svc.Documents(a.ctx, a.dept, jobs.DocumentFilter{RequestID: a.reqOther})
				return err
			},
			cli: append([]string{"docs", "list", "--request", id(a.reqOther)}, a.as(a.dept)...)},
		attempt{name: "a department user asks which backup another's request restores", want: "another's request",
			window: func() error { _, err := a.svc.RequestSnapshot(a.ctx, a.dept, a.reqOther); return err }},
		attempt{name: "approve a job one wrote, after IT staff's trivial edit", want: "another IT manager",
			window: func() error { _, err := a.svc.ApproveJob(a.ctx, a.mgr, "mgrjob", a.rev("mgrjob")); return err },
			cli:    append([]string{"job", "approve", "mgrjob", "--revision", a.rev("mgrjob")}, a.as(a.mgr)...)},
		attempt{name: "approve a department's request one submitted for them", want: "another IT manager",
			window: func() error {
				_, err := a.svc.ApproveRequest(a.ctx, a.mgr, a.reqSubmittedByMgr, reqRev(a.reqSubmittedByMgr))
				return err
			},
			cli: append([]string{"request", "approve", id(a.reqSubmittedByMgr), "--revision", reqRev(a.reqSubmittedByMgr)}, a.as(a.mgr)...)},
		attempt{name: "ask to restore into the workspace's keys", want: "never writes into",
			window: func() error {
				_, err := a.svc.CreateRequest(a.ctx, a.dept, jobs.NewRequest{Kind: jobs.KindRestore, Job: "keu", RequestedAt: time.Now(),
					Target: filepath.Join(a.ws, "keys"), Overwrite: true, Reason: "adversary"})
				return err
			},
			cli: append([]string{"request", "new", "--kind", "restore", "--job", "keu", "--at", time.Now().Add(time.Minute).Format("2006-01-02 15:04"),
				"--target", filepath.Join(a.ws, "keys"), "--overwrite", "--reason", "adversary"}, a.as(a.dept)...)},
		attempt{name: "change a request's destination to the job's repository", want: "never writes into",
			window: func() error {
				to := a.repo
				_, err := a.svc.EditRequest(a.ctx, a.staff, a.reqSubmitted, jobs.RequestEdit{Target: &to})
				return err
			},
			cli: append([]string{"request", "edit", id(a.reqSubmitted), "--target", a.repo}, a.as(a.staff)...)},
		attempt{name: "move the replica an approved job sends its backups to", want: "take the replica out of the job first",
			window: func() error {
				_, err := a.svc.EditReplica(a.ctx, a.staff, a.repo, "offsite", jobs.ReplicaSpec{URL: a.elsewhere})
				return err
			}},
		attempt{name: "remove the replica an approved job sends its backups to", want: "take the replica out of the job first",
			window: func() error { return a.svc.RemoveReplica(a.ctx, a.staff, a.repo, "offsite") },
			cli:    []string{"replica", "remove", "--repo", a.repo, "offsite"}},
		attempt{name: "a disabled account runs a job", want: "disabled",
			window: func() error { _, err := a.svc.RunJob(a.ctx, a.ex, "keu", jobs.RunOptions{}); return err },
			cli:    append([]string{"job", "run", "keu"}, a.as(a.ex)...)},
		attempt{name: "a department user changes a job", want: "may do this",
			window: func() error {
				j, err := a.svc.Job(a.ctx, a.dept, "keu")
				if err != nil {
					return err
				}
				_, err = a.svc.EditJob(a.ctx, a.dept, "keu", j.JobSpec)
				return err
			},
			cli: append([]string{"job", "edit", "keu", "--exclude", "*.x"}, a.as(a.dept)...)},
	)
	for _, op := range [][]string{{"backup", "--repo", a.repo, a.src}, {"forget", "--repo", a.repo, "--keep-last", "1"},
		{"prune", "--repo", a.repo}, {"unlock", "--repo", a.repo}} {
		out = append(out,
			attempt{name: op[0] + " a job's repository without an account", want: "needs --as", cli: op},
			attempt{name: op[0] + " a job's repository as a department user", want: "may do this", cli: append(op, a.as(a.dept)...)})
	}
	syncDelete := []string{"replica", "sync", "--repo", a.repo, "offsite", "--delete"}
	out = append(out,
		attempt{name: "remove from a job's offsite copy without an account", want: "needs --as", cli: syncDelete},
		attempt{name: "remove from a job's offsite copy as a department user", want: "may do this", cli: append(syncDelete, a.as(a.dept)...)})
	out = append(out, attempt{name: "back up by hand into a job's repository as the job", want: "marks the snapshots of a job's runs",
		cli: append([]string{"backup", "--repo", a.repo, "--tag", "job:keu", a.src}, a.as(a.staff)...)})
	return out
}

// places are the folders pictured around each attempt.
func (a *adversary) places() map[string]string {
	return map[string]string{"documents": filepath.Join(a.ws, "documents"), "logs": filepath.Join(a.ws, "logs"), "keys": filepath.Join(a.ws, "keys"),
		"repository": a.repo, "target": a.target, "elsewhere": a.elsewhere, "source": a.src, "offsite": a.offsite}
}

// try makes one attempt and checks its refusal and that nothing was written.
func (a *adversary) try(t *testing.T, entry string, gains []string, do func() string, want string) {
	t.Helper()
	catalog := filepath.Join(a.ws, jobs.CatalogFile)
	before, seq := statetest.Take(t, catalog, a.places()), statetest.AuditHead(t, catalog)
	msg := do()
	if msg == "" {
		return
	}
	if strings.Contains(msg, "\n") || !strings.Contains(msg, want) {
		t.Errorf("%s: refusal %q, want one line mentioning %q", entry, msg, want)
	}
	for _, d := range before.Diff(statetest.Take(t, catalog, a.places())) {
		t.Errorf("%s: the refused attempt wrote: %s", entry, d)
	}
	added := statetest.AuditAfter(t, catalog, seq)
	var actions []string
	for _, e := range added {
		actions = append(actions, e.Action)
		if u, ok := a.byName[e.Actor]; !ok || u.Role == "" {
			t.Errorf("%s: the audit entry %v does not name an account of the workspace", entry, e)
		}
	}
	if strings.Join(actions, ",") != strings.Join(gains, ",") {
		t.Errorf("%s: the audit log gained %v, want %v", entry, added, gains)
	}
}

// scheduler: the scheduler never schedules what is not approved, refuses
// at its start a job changed after its approval (audited), and stops
// acting once its account is disabled; none of it writes anything else.
func (a *adversary) scheduler(t *testing.T) {
	catalog := filepath.Join(a.ws, jobs.CatalogFile)
	_, err := a.svc.NewScheduler(a.ctx, a.ex)
	if !isRefused(err) || !strings.Contains(err.Error(), "disabled") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a scheduler acting as a disabled account: %v, want a one-line refusal", err)
	}
	_, err = a.svc.NewScheduler(a.ctx, a.dept)
	if !isRefused(err) || strings.Contains(err.Error(), "\n") {
		t.Errorf("a scheduler acting as a department user: %v, want a one-line refusal", err)
	}
	sc, err := a.svc.NewScheduler(a.ctx, a.sched)
	if err != nil {
		t.Fatal(err)
	}
	// At its start the scheduler runs the approved backup request whose
	// job was changed by hand (its time has passed): refused, audited.
	before, seq := statetest.Take(t, catalog, a.places()), statetest.AuditHead(t, catalog)
	if err := sc.Start(a.ctx); err != nil {
		t.Fatal(err)
	}
	defer sc.Stop()
	if line := a.nextLog("scheduled request", " request="+strconv.FormatInt(a.reqHandJob, 10)+" "); !strings.Contains(line, "differs from the definition the IT manager approved") {
		t.Errorf("the scheduler running a backup request of a job changed by hand: %q, want refused", line)
	}
	a.wantNothingBut(t, "scheduled backup request of a job changed by hand", before, seq, "run.refused")
	if err := a.clock.BlockUntilContext(a.ctx, 4); err != nil { // keu, handedited, handapproved and the minute refresh
		t.Fatal(err)
	}
	all, err := a.svc.Jobs(a.ctx, a.mgr, jobs.JobAny)
	if err != nil {
		t.Fatal(err)
	}
	next := sc.NextRuns()
	for _, j := range all {
		if _, ok := next[j.ID]; ok != (j.State == jobs.JobApproved) {
			t.Errorf("job %s (%s) scheduled: %v", j.Name, j.State, ok)
		}
	}
	fire := func(job string) string {
		t.Helper()
		var id int64
		for _, j := range all {
			if j.Name == job {
				id = j.ID
			}
		}
		a.clock.Advance(next[id].Sub(a.clock.Now()))
		return a.nextLog("scheduled run", " job="+strconv.FormatInt(id, 10)+" ")
	}
	before, seq = statetest.Take(t, catalog, a.places()), statetest.AuditHead(t, catalog)
	if line := fire("handedited"); !strings.Contains(line, "differs from the definition the IT manager approved") {
		t.Errorf("the scheduler starting a job changed by hand: %q, want refused", line)
	}
	a.wantNothingBut(t, "scheduled run of a job changed by hand", before, seq, "run.refused")
	before, seq = statetest.Take(t, catalog, a.places()), statetest.AuditHead(t, catalog)
	if line := fire("handapproved"); !strings.Contains(line, "records no approval of revision") {
		t.Errorf("the scheduler starting a job whose approval was written into the catalog: %q, want refused", line)
	}
	a.wantNothingBut(t, "scheduled run of a job approved in the catalog by hand", before, seq, "run.refused")

	if err := a.svc.SetUserDisabled(a.ctx, a.admin, a.sched.Name, true); err != nil {
		t.Fatal(err)
	}
	before, seq = statetest.Take(t, catalog, a.places()), statetest.AuditHead(t, catalog)
	if line := fire("keu"); !strings.Contains(line, "disabled") {
		t.Errorf("the scheduler acting as a disabled account: %q, want refused", line)
	}
	a.wantNothingBut(t, "scheduled run as a disabled account", before, seq)
}

// nextLog waits for the service's next log line containing all of want.
func (a *adversary) nextLog(want ...string) string {
	for line := range a.log {
		all := true
		for _, w := range want {
			all = all && strings.Contains(line, w)
		}
		if all {
			return line
		}
	}
	return ""
}

func (a *adversary) wantNothingBut(t *testing.T, what string, before statetest.Picture, seq int64, gains ...string) {
	t.Helper()
	catalog := filepath.Join(a.ws, jobs.CatalogFile)
	for _, d := range before.Diff(statetest.Take(t, catalog, a.places())) {
		t.Errorf("%s wrote: %s", what, d)
	}
	var actions []string
	for _, e := range statetest.AuditAfter(t, catalog, seq) {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	var want []string
	for _, g := range gains {
		want = append(want, g+" by "+jobs.SchedulerActor)
	}
	if strings.Join(actions, ",") != strings.Join(want, ",") {
		t.Errorf("%s: the audit log gained %v, want %v", what, actions, want)
	}
}

// cheapestHash hashes pw at the lowest cost jobs.CheckPassword accepts
// (OWASP's 19 MiB, one pass), so the test can log in many times.
func cheapestHash(t *testing.T, pw string) string {
	t.Helper()
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		t.Fatal(err)
	}
	const mem = 19 * 1024
	key := argon2.IDKey([]byte(pw), salt, 1, mem, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=1,p=1$%s$%s", argon2.Version, mem, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// logLines is a slog.Handler that hands every record to a channel.
type logLines chan string

func (l logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l logLines) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	r.Attrs(func(a slog.Attr) bool { line += " " + a.String(); return true })
	l <- line
	return nil
}
func (l logLines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l logLines) WithGroup(string) slog.Handler      { return l }
