package jobs

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
	"cadang/store"
	"cadang/store/storetest"
)

// The daemons of TestTeamDaemonsRunEachSlotOnce are this test binary run
// again (TestTeamDaemon) with these set. Each has its own fake clock, which
// the test moves forward for all of them at once over their standard input.
const (
	teamCatalogEnv = "CADANG_TEST_TEAM_CATALOG" // the shared catalog's URL
	teamHostEnv    = "CADANG_TEST_TEAM_HOST"    // the host the daemon serves
	teamStartEnv   = "CADANG_TEST_TEAM_START"   // the clock's start (Unix nanoseconds)
	teamKeyEnv     = "CADANG_TEST_TEAM_KEY"     // the team's document key file
	teamHangEnv    = "CADANG_TEST_TEAM_HANG"    // "JOB@UNIXNANO": that job's backup at that slot never ends
)

// hangingEngine is the fake engine, except that one job's backup of one
// slot hangs (until the process is killed).
type hangingEngine struct {
	*fakeEngine
	job string
	at  time.Time
}

func (e hangingEngine) Open(ctx context.Context, repo, password string, create bool) (Repository, error) {
	r, err := e.fakeEngine.Open(ctx, repo, password, create)
	if err != nil {
		return nil, err
	}
	return hangingRepo{fakeRepo: r.(*fakeRepo), e: e}, nil
}

type hangingRepo struct {
	*fakeRepo
	e hangingEngine
}

func (r hangingRepo) Backup(ctx context.Context, paths []string, opt engine.BackupOptions) (*engine.BackupResult, error) {
	now := r.e.clock.Now()
	if r.e.job != "" && slices.Contains(opt.Tags, jobTag(r.e.job)) && !now.Before(r.e.at) && now.Before(r.e.at.Add(time.Hour)) {
		select {} // killed with -9 while here
	}
	return r.fakeRepo.Backup(ctx, paths, opt)
}

// TestTeamDaemon is one daemon process; it does nothing in a normal run.
// It prints "team:ready LEADING", then for each "advance UNIXNANO" line
// moves its clock there and prints "team:ok LEADING"; "stop" stops it.
func TestTeamDaemon(t *testing.T) {
	url := os.Getenv(teamCatalogEnv)
	if url == "" {
		t.Skip("a daemon process of TestTeamDaemonsRunEachSlotOnce")
	}
	ctx := context.Background()
	startNanos, err := strconv.ParseInt(os.Getenv(teamStartEnv), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(time.Unix(0, startNanos))
	eng := hangingEngine{fakeEngine: &fakeEngine{clock: clock}}
	if job, at, ok := strings.Cut(os.Getenv(teamHangEnv), "@"); ok {
		n, err := strconv.ParseInt(at, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		eng.job, eng.at = job, time.Unix(0, n)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, err := OpenWorkspace(ctx, t.TempDir(), Options{Catalog: url, Clock: clock, Engine: eng, Logger: log,
		DocumentKeyFile: os.Getenv(teamKeyEnv)})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	u, err := svc.catalog.UserByName(ctx, "yoga")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := svc.NewScheduler(ctx, userFromStore(u))
	if err != nil {
		t.Fatal(err)
	}
	sc.SetHost(os.Getenv(teamHostEnv))
	refreshed := make(chan struct{}, 1)
	sc.refreshed = func() { refreshed <- struct{}{} }
	if err := sc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("team:ready %v\n", sc.Leading())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		switch cmd {
		case "advance":
			n, err := strconv.ParseInt(arg, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Unix(0, n).Sub(clock.Now()); d >= time.Minute {
				clock.Advance(d)
				settle(t, sc, clock, refreshed)
			}
			fmt.Printf("team:ok %v\n", sc.Leading())
		case "stop":
			if err := sc.Stop(); err != nil {
				t.Error(err)
			}
			fmt.Println("team:stopped")
			return
		}
	}
}

// settle waits until the scheduler has done what a move of its clock
// started: the minute's refresh (taking the lead, reloading) has finished
// and every gocron job waits on the clock again, so the next move finds
// each slot's timer set.
func settle(t *testing.T, sc *Scheduler, clock *clockwork.FakeClock, refreshed <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	select {
	case <-refreshed:
	case <-ctx.Done():
		t.Fatal("the scheduler's refresh did not run after the clock moved")
	}
	if err := clock.BlockUntilContext(ctx, len(sc.gs.Jobs())); err != nil {
		t.Fatalf("the scheduler's jobs did not wait on the clock again: %v", err)
	}
}

// daemonProc is a daemon process as the test drives it.
type daemonProc struct {
	name, host string
	cmd        *exec.Cmd
	in         io.WriteCloser
	out        *bufio.Scanner
	stderr     *strings.Builder
	dead       bool
}

func startDaemon(t *testing.T, name, host string, env []string) *daemonProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTeamDaemon$", "-test.count=1", "-test.v")
	cmd.Env = append(append(os.Environ(), env...), teamHostEnv+"="+host)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &daemonProc{name: name, host: host, cmd: cmd, in: in, out: bufio.NewScanner(out), stderr: &strings.Builder{}}
	cmd.Stderr = &lockedWriter{w: d.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !d.dead {
			cmd.Process.Kill() //nolint:errcheck // cleanup after a failure
			cmd.Wait()         //nolint:errcheck // cleanup after a failure
		}
		if t.Failed() {
			t.Logf("daemon %s (%s) stderr:\n%s", d.name, d.host, d.stderr.String())
		}
	})
	return d
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// expect reads the daemon's output up to its next "team:" line.
func (d *daemonProc) expect(t *testing.T, prefix string) string {
	t.Helper()
	for d.out.Scan() {
		if line, ok := strings.CutPrefix(d.out.Text(), "team:"); ok {
			if !strings.HasPrefix(line, prefix) {
				t.Fatalf("daemon %s said %q, want %q", d.name, line, prefix)
			}
			return strings.TrimSpace(strings.TrimPrefix(line, prefix))
		}
	}
	t.Fatalf("daemon %s ended before saying %q (stderr: %s)", d.name, prefix, d.stderr.String())
	return ""
}

func (d *daemonProc) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(d.in, line+"\n"); err != nil {
		t.Fatalf("daemon %s: %v", d.name, err)
	}
}

// teamDays is how many days the test simulates: a week (every weekly
// job runs once), the month under CADANG_STRESS=1 (make stress).
func teamDays() int {
	if os.Getenv("CADANG_STRESS") != "" {
		return 30
	}
	return 7
}

// teamSlots are the hours at which the jobs' slots start: the test moves
// the clock half an hour past each.
var teamSlots = []int{1, 7, 13, 19}

// teamJob is the schedule of job i of the team test: jobs 0–3 (every job
// under CADANG_STRESS=1) back up daily in a one-hour window starting at
// teamSlots[i%4]; the others weekly (cron), at 19:00 on weekday i%7. The
// hosts alternate: even jobs are fs1's, odd ones db1's.
type teamJob struct {
	name, host string
	hour       int
	daily      bool
	weekday    time.Weekday
}

func teamJobs() []teamJob {
	stress := os.Getenv("CADANG_STRESS") != ""
	out := make([]teamJob, 20)
	for i := range out {
		j := teamJob{name: fmt.Sprintf("job%02d", i), host: "fs1", hour: teamSlots[i%len(teamSlots)], daily: i < 4 || stress}
		if i%2 == 1 {
			j.host = "db1"
		}
		if !j.daily {
			j.hour, j.weekday = 19, time.Weekday(i%7)
		}
		out[i] = j
	}
	return out
}

func (j teamJob) schedule() Schedule {
	if j.daily {
		return Schedule{Kind: ScheduleWindow, WindowStart: fmt.Sprintf("%02d:00", j.hour), WindowEnd: fmt.Sprintf("%02d:00", j.hour+1)}
	}
	return Schedule{Kind: ScheduleCron, Cron: fmt.Sprintf("0 %d * * %d", j.hour, j.weekday)}
}

// slots are the job's slots from day0 up to until, counted by the test
// on its own (not by the scheduler's arithmetic).
func (j teamJob) slots(day0, until time.Time) []time.Time {
	var out []time.Time
	for d := 0; d < teamDays(); d++ {
		slot := day0.AddDate(0, 0, d).Add(time.Duration(j.hour) * time.Hour)
		if slot.After(until) {
			break
		}
		if j.daily || slot.Weekday() == j.weekday {
			out = append(out, slot)
		}
	}
	return out
}

// TestTeamDaemonsRunEachSlotOnce: on one shared catalog, two daemons serve
// host fs1 and one serves db1 (three processes); the jobs of each host run
// on its daemons only, every slot of every job exactly once over the
// simulated days. The leading daemon of fs1 is killed with -9 in the middle
// of a backup: the other takes the lead, marks that run interrupted (with
// its audit entry), and the next slot runs. Meanwhile two windows (this
// process, a Service each) race: the manager approves jobs while the staff
// edit them (approvalRace), and the manager's window hears every run the
// daemons finish. The audit chain verifies at the end.
func TestTeamDaemonsRunEachSlotOnce(t *testing.T) {
	storetest.NeedServer(t)
	ctx := context.Background()
	url := storetest.NewDatabase(t)
	day0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.Local)
	clock := clockwork.NewFakeClockAt(day0)
	dir := t.TempDir()
	svc, err := OpenWorkspace(ctx, dir, Options{Catalog: url, Clock: clock, Engine: &fakeEngine{clock: clock}})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	staff, mgr := teamAccounts(t, svc)
	plan := teamJobs()
	for _, tj := range plan {
		src := filepath.Join(t.TempDir(), tj.name)
		if err := os.MkdirAll(src, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, "data.txt"), []byte("data of "+tj.name), 0o600); err != nil {
			t.Fatal(err)
		}
		spec := JobSpec{Name: tj.name, Sources: []string{src}, Repository: filepath.Join(t.TempDir(), "repo"), Host: tj.host,
			Schedule: tj.schedule()}
		teamApprovedJob(t, svc, staff, mgr, spec)
	}
	// The two windows: the manager's (svc) and the staff's, each its own
	// Service on the catalog. The manager's hears what the daemons do.
	staffWin, err := OpenWorkspace(ctx, t.TempDir(), Options{Catalog: url, Clock: clock, Engine: &fakeEngine{clock: clock},
		DocumentKeyFile: svc.keyFile})
	if err != nil {
		t.Fatal(err)
	}
	defer staffWin.Close()
	heard := hear(svc, EventRunFinished)
	deskJobs := make([]string, 12) // host "desk": no daemon runs them
	for i := range deskJobs {
		deskJobs[i] = fmt.Sprintf("desk%02d", i)
		spec := JobSpec{Name: deskJobs[i], Sources: []string{t.TempDir()}, Repository: filepath.Join(t.TempDir(), "repo"), Host: "desk",
			Schedule: Schedule{Kind: ScheduleWindow, WindowStart: "22:00", WindowEnd: "23:00"}}
		if _, err := staffWin.CreateJob(ctx, staff, spec); err != nil {
			t.Fatal(err)
		}
		if _, err := staffWin.SubmitJob(ctx, staff, spec.Name); err != nil {
			t.Fatal(err)
		}
	}
	race := newApprovalRace(t, svc, mgr, deskJobs)

	// fs1's daemon hangs in job00's backup on the second day: it is killed there.
	hangAt := day0.Add(24*time.Hour + time.Duration(plan[0].hour)*time.Hour)
	env := []string{teamCatalogEnv + "=" + url, teamStartEnv + "=" + strconv.FormatInt(day0.UnixNano(), 10),
		teamKeyEnv + "=" + svc.keyFile, teamHangEnv + "=job00@" + strconv.FormatInt(hangAt.UnixNano(), 10)}
	daemons := []*daemonProc{startDaemon(t, "fs1-a", "fs1", env), startDaemon(t, "fs1-b", "fs1", env), startDaemon(t, "db1", "db1", env)}
	leading := 0
	for _, d := range daemons {
		if d.expect(t, "ready") == "true" {
			leading++
		}
	}
	if leading != 2 {
		t.Fatalf("%d daemons lead, want 2 (one for each host)", leading)
	}

	// The manager approves while the staff edit, as the daemons start running.
	raced := make(chan struct{})
	go func() {
		defer close(raced)
		race.run(ctx, svc, staffWin, mgr, staff)
	}()
	killed := false
	var killedRun int64
	for day := 0; day < teamDays(); day++ {
		for _, h := range teamSlots {
			now := day0.AddDate(0, 0, day).Add(time.Duration(h)*time.Hour + 30*time.Minute)
			for _, d := range daemons {
				if !d.dead {
					d.send(t, "advance "+strconv.FormatInt(now.UnixNano(), 10))
				}
			}
			for _, d := range daemons {
				if !d.dead {
					d.expect(t, "ok")
				}
			}
			hang := now.After(hangAt) && !killed
			waitForSlots(t, svc, plan, day0, now, hangAt, killedRun, hang, daemons)
			if hang {
				killedRun = killRunOwner(t, svc, daemons, hangAt)
				killed = true
			}
		}
	}
	for _, d := range daemons {
		if !d.dead {
			d.send(t, "stop")
			d.expect(t, "stopped")
			if err := d.cmd.Wait(); err != nil {
				t.Errorf("daemon %s: %v", d.name, err)
			}
			d.dead = true
		}
	}
	<-raced
	race.check(t, staffWin, staff)
	succeeded := checkTeamRuns(t, svc, plan, day0, hangAt, daemons)
	checkInterrupted(t, svc, killedRun)
	if got := heard.wait(t, succeeded); got != succeeded {
		t.Errorf("the manager's window heard %d finished runs, want the %d the daemons finished", got, succeeded)
	}
	if n, problems, err := svc.catalog.VerifyAudit(ctx); err != nil || len(problems) > 0 {
		t.Errorf("audit verify: %d entries, problems %v, %v", n, problems, err)
	}
}

// checkInterrupted: the killed daemon's run was closed by the daemon that
// took the lead, with its run.interrupted audit entry.
func checkInterrupted(t *testing.T, svc *Service, run int64) {
	t.Helper()
	if run == 0 {
		t.Error("no daemon was killed")
		return
	}
	entries, err := svc.catalog.Audit(context.Background(), store.AuditFilter{Object: runObject(run)})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == "run.interrupted" && e.Actor == SchedulerActor && e.FromState == RunRunning && e.ToState == RunFailed {
			return
		}
	}
	t.Errorf("audit of the killed daemon's run #%d = %+v, want a run.interrupted entry (running → failed)", run, entries)
}

// heardEvents counts the events of one kind that other processes
// announced to a Service, as its window's subscription receives them.
type heardEvents struct {
	mu    sync.Mutex
	n     int
	more  chan struct{}
	kind  EventKind
	close func()
}

// hear subscribes to svc and counts the other processes' events of kind.
func hear(svc *Service, kind EventKind) *heardEvents {
	events, stop := svc.Subscribe()
	h := &heardEvents{more: make(chan struct{}, 1), kind: kind, close: stop}
	go func() {
		for ev := range events {
			if !ev.Remote || ev.Kind != kind {
				continue
			}
			h.mu.Lock()
			h.n++
			h.mu.Unlock()
			select {
			case h.more <- struct{}{}:
			default:
			}
		}
	}()
	return h
}

// wait waits (up to 30 s) until want events were heard and returns how
// many were.
func (h *heardEvents) wait(t *testing.T, want int) int {
	t.Helper()
	defer h.close()
	deadline := time.After(30 * time.Second)
	for {
		h.mu.Lock()
		n := h.n
		h.mu.Unlock()
		if n >= want {
			return n
		}
		select {
		case <-h.more:
		case <-deadline:
			return n
		}
	}
}

// teamAccounts makes the IT staff (the daemons' account) and the manager.
func teamAccounts(t *testing.T, svc *Service) (staff, mgr User) {
	t.Helper()
	mk := func(name, role string) User {
		id, err := svc.catalog.CreateUser(context.Background(), store.User{Name: name, Role: role, PasswordHash: "unused"})
		if err != nil {
			t.Fatal(err)
		}
		return User{ID: id, Name: name, Role: role}
	}
	return mk("yoga", RoleStaff), mk("gideon", RoleManager)
}

func teamApprovedJob(t *testing.T, svc *Service, staff, mgr User, spec JobSpec) {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.CreateJob(ctx, staff, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitJob(ctx, staff, spec.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveJob(ctx, mgr, spec.Name, svc.jobRev(spec.Name)); err != nil {
		t.Fatal(err)
	}
}

// waitForSlots waits until every slot up to now has its run recorded and
// finished (the hung one running, when hang; the killed one failed). The
// clock stands still meanwhile: a slot whose timer was lost would stay
// without its run (the minute's look back never comes), and fail the test.
func waitForSlots(t *testing.T, svc *Service, plan []teamJob, day0, now, hangAt time.Time, killedRun int64, hang bool, daemons []*daemonProc) {
	t.Helper()
	deadline := time.After(3 * time.Minute)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		missing := pendingSlots(t, svc, plan, day0, now, hangAt, killedRun, hang)
		if len(missing) == 0 {
			return
		}
		select {
		case <-deadline:
			for _, d := range daemons { // their goroutines, in the stderr the cleanup logs
				if !d.dead {
					d.cmd.Process.Signal(syscall.SIGQUIT) //nolint:errcheck // a diagnosis
					d.cmd.Wait()                          //nolint:errcheck // a diagnosis
					d.dead = true
				}
			}
			t.Fatalf("at %s, slots without a finished run after 3 minutes: %v", now.Format("Jan 2 15:04"), missing)
		case <-tick.C:
		}
	}
}

func pendingSlots(t *testing.T, svc *Service, plan []teamJob, day0, now, hangAt time.Time, killedRun int64, hang bool) []string {
	t.Helper()
	runs, err := svc.catalog.Runs(context.Background(), store.RunFilter{Kind: KindBackup})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := svc.catalog.Jobs(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]string{} // job@slot → status
	nameOf := map[int64]string{}
	for _, j := range jobs {
		nameOf[j.ID] = j.Name
	}
	for _, r := range runs {
		state[nameOf[r.JobID]+"@"+r.ScheduledAt.Format(time.RFC3339)] = r.Status
		if r.ID == killedRun && r.Status == RunRunning {
			return []string{"the killed daemon's run is still running"}
		}
	}
	var missing []string
	for _, tj := range plan {
		name := tj.name
		for _, slot := range tj.slots(day0, now) {
			st := state[name+"@"+slot.Format(time.RFC3339)]
			want := st != "" && st != RunRunning
			if hang && name == "job00" && slot.Equal(hangAt) {
				want = st == RunRunning
			}
			if !want {
				missing = append(missing, name+"@"+slot.Format("Jan 2 15:04")+"("+st+")")
			}
		}
	}
	return missing
}

// killRunOwner kills with -9 the daemon carrying out the hung run and
// returns the run's ID.
func killRunOwner(t *testing.T, svc *Service, daemons []*daemonProc, hangAt time.Time) int64 {
	t.Helper()
	runs, err := svc.catalog.Runs(context.Background(), store.RunFilter{Statuses: []string{RunRunning}})
	if err != nil || len(runs) != 1 || !runs[0].ScheduledAt.Equal(hangAt) {
		t.Fatalf("running runs = %+v, %v; want the hung job00 run only", runs, err)
	}
	_, pid, _ := strings.Cut(runs[0].Owner, ":")
	for _, d := range daemons {
		if strconv.Itoa(d.cmd.Process.Pid) == pid {
			if d.host != "fs1" {
				t.Fatalf("job00 (host fs1) runs on daemon %s of host %s", d.name, d.host)
			}
			if err := d.cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			d.cmd.Wait() //nolint:errcheck // killed: the error says so
			d.dead = true
			// The server ends the dead process's sessions (and so its lead and
			// its claim on the run) when it notices the closed connection, a
			// moment later. Until then a standby's minute refresh would find
			// the lead taken; the test's clock moves only when told to.
			waitOwnerGone(t, svc, runs[0].Owner)
			return runs[0].ID
		}
	}
	t.Fatalf("no daemon has the pid of the run's owner %q", runs[0].Owner)
	return 0
}

// waitOwnerGone waits (up to 30 s) until the catalog no longer sees the
// run owner's claim.
func waitOwnerGone(t *testing.T, svc *Service, owner string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		alive, _, err := svc.catalog.OwnerAlive(context.Background(), owner)
		if err != nil {
			t.Fatal(err)
		}
		if !alive {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("the server still sees run owner %s 30 s after its process was killed", owner)
		case <-tick.C:
		}
	}
}

// checkTeamRuns: every slot of every job has exactly one run, successful
// but for the interrupted one, carried out by a daemon of the job's host;
// nothing else ran.
// It returns how many runs succeeded.
func checkTeamRuns(t *testing.T, svc *Service, plan []teamJob, day0, hangAt time.Time, daemons []*daemonProc) int {
	hostOf := map[string]string{}
	for _, tj := range plan {
		hostOf[tj.name] = tj.host
	}
	t.Helper()
	ctx := context.Background()
	runs, err := svc.catalog.Runs(ctx, store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	hostOfPid := map[string]string{}
	for _, d := range daemons {
		hostOfPid[strconv.Itoa(d.cmd.Process.Pid)] = d.host
	}
	nameOf := map[int64]string{}
	jobs, err := svc.catalog.Jobs(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		nameOf[j.ID] = j.Name
	}
	seen := map[string]int{}
	succeeded := 0
	for _, r := range runs {
		if r.Status == RunSuccess {
			succeeded++
		}
		name := nameOf[r.JobID]
		key := name + "@" + r.ScheduledAt.Format(time.RFC3339)
		seen[key]++
		_, pid, _ := strings.Cut(r.Owner, ":")
		if hostOfPid[pid] != hostOf[name] {
			t.Errorf("run #%d of %s (host %s) was carried out by %q of host %q", r.ID, name, hostOf[name], r.Owner, hostOfPid[pid])
		}
		interrupted := name == "job00" && r.ScheduledAt.Equal(hangAt)
		switch {
		case interrupted && (r.Status != RunFailed || !strings.Contains(r.Error, "interrupted")):
			t.Errorf("the killed daemon's run = %s %q, want failed, interrupted", r.Status, r.Error)
		case !interrupted && r.Status != RunSuccess:
			t.Errorf("run #%d of %s at %v = %s %q, want success", r.ID, name, r.ScheduledAt, r.Status, r.Error)
		}
	}
	want := 0
	for _, tj := range plan {
		for _, slot := range tj.slots(day0, day0.AddDate(0, 0, teamDays())) {
			key := tj.name + "@" + slot.Format(time.RFC3339)
			if seen[key] != 1 {
				t.Errorf("slot %s ran %d times, want once", key, seen[key])
			}
			want++
		}
	}
	if len(runs) != want {
		t.Errorf("%d runs in all, want %d (one a slot)", len(runs), want)
	}
	t.Logf("%d jobs over %d days: %d slots, each run once; %d succeeded", len(plan), teamDays(), want, succeeded)
	return succeeded
}
