// Package demo builds a realistic Cadang office to show: the screenshots
// (`make screenshots`) and anyone who wants to try the window with data.
//
// It makes three department shares under Root/shares (Keuangan with a
// 1.8 GiB archive, HRD, Engineering with a 4 GiB virtual machine disk;
// the big files are sparse, so the disk holds a fraction of it), defines
// their jobs with offsite copies (a folder "in building B" and an rclone
// remote), and plays a week of nightly backups through the real engine and
// the real procedure on a clock that starts eight days ago: runs take
// minutes, snapshots carry their night's time, requests wait, are
// approved, rejected, restored, verified and handed over. Everything goes
// through jobs, so the catalog, the documents and the audit log are what
// Cadang itself writes.
//
// Guarantees: only Root and Workspace are written. Non-guarantees: the
// durations are simulated from the data's size (the engine is faster on
// this data than a LAN share would be); file contents are random.
package demo

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
	"cadang/jobs"
)

// Options configure Build.
type Options struct {
	Root      string    // the folder that holds shares/, backup/, restore/ and the offsite copies, e.g. /srv/demo
	Workspace string    // the workspace to create
	Now       time.Time // the end of the story; zero means time.Now
	// Password signs every account in: "password-" + name when empty.
	Password func(name string) string
}

// Office is what Build made, for the caller to show or drive.
type Office struct {
	Workspace   string
	Shares      map[string]string // department → share folder
	Repos       map[string]string // job → repository
	RcloneConf  string            // RCLONE_CONFIG for the "gdrive" remote
	Accounts    []string
	PasswordFor func(name string) string
}

// people of PT Sefas Keliantama.
var people = []struct{ name, full, role, dept string }{
	{"gideon", "Gideon B. Sirapanji", jobs.RoleManager, "IT"},
	{"budi", "Budi Santoso", jobs.RoleStaff, "IT"},
	{"yoga", "Yoga Pratama", jobs.RoleStaff, "IT"},
	{"sari", "Sari Wulandari", jobs.RoleUser, "Keuangan"},
	{"dewi", "Dewi Anggraini", jobs.RoleUser, "HRD"},
}

// Build makes the office. It takes a minute or two: every night is a real
// backup of the shares.
func Build(ctx context.Context, opt Options) (*Office, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.Password == nil {
		opt.Password = func(name string) string { return "password-" + name }
	}
	o := &Office{Workspace: opt.Workspace, Shares: map[string]string{}, Repos: map[string]string{}, PasswordFor: opt.Password}
	srv := opt.Root
	for _, dept := range []string{"keuangan", "hrd", "engineering"} {
		o.Shares[dept] = filepath.Join(srv, "shares", dept)
		o.Repos[dept] = filepath.Join(srv, "backup", dept)
	}
	if err := writeShares(o.Shares, rand.New(rand.NewPCG(7, 11))); err != nil {
		return nil, err
	}
	var err error
	if o.RcloneConf, err = writeRcloneConfig(opt.Root); err != nil {
		return nil, err
	}
	if err := os.Setenv("RCLONE_CONFIG", o.RcloneConf); err != nil {
		return nil, err
	}
	start := time.Date(opt.Now.Year(), opt.Now.Month(), opt.Now.Day(), 8, 30, 0, 0, time.Local).AddDate(0, 0, -8)
	clock := clockwork.NewFakeClockAt(start)
	svc, err := jobs.OpenWorkspace(ctx, opt.Workspace, jobs.Options{Clock: clock, Engine: &nightEngine{clock: clock}})
	if err != nil {
		return nil, err
	}
	defer svc.Close()
	s := &story{ctx: ctx, svc: svc, clock: clock, o: o, opt: opt, users: map[string]jobs.User{}}
	return o, s.play()
}

// nightEngine is the real engine whose backups carry the demo clock's
// time and take as long as the data would over an office LAN.
type nightEngine struct {
	clock *clockwork.FakeClock
	runs  int // backups so far, to vary their durations
}

func (e *nightEngine) Open(ctx context.Context, repo, password string, create bool) (jobs.Repository, error) {
	r, err := jobs.LocalEngine{}.Open(ctx, repo, password, create)
	if err != nil {
		return nil, err
	}
	return &nightRepo{Repository: r, e: e}, nil
}

type nightRepo struct {
	jobs.Repository
	e *nightEngine
}

// lanRate is the throughput the simulated durations assume (a busy
// 1 Gbit/s share, about 35 MB/s), plus a scan cost per file.
const lanRate = 35 << 20

func (r *nightRepo) Backup(ctx context.Context, paths []string, opt engine.BackupOptions) (*engine.BackupResult, error) {
	opt.Time = r.e.clock.Now()
	res, err := r.Repository.Backup(ctx, paths, opt)
	if res != nil {
		// Connecting and walking the share, reading what changed, and
		// checking the unchanged files' metadata over the network.
		r.e.runs++
		took := 95*time.Second + time.Duration(res.BytesRead/lanRate)*time.Second +
			time.Duration(res.Snapshot.Summary.TotalBytes/(40*lanRate))*time.Second +
			time.Duration(res.FilesNew+res.FilesChanged+res.FilesUnmodified)*45*time.Millisecond +
			time.Duration((r.e.runs*37)%80)*time.Second // no two nights alike
		r.e.clock.Advance(took)
	}
	return res, err
}

func (r *nightRepo) Restore(ctx context.Context, snap engine.Snapshot, target string, opt engine.RestoreOptions) (*engine.RestoreResult, error) {
	res, err := r.Repository.Restore(ctx, snap, target, opt)
	if res != nil {
		r.e.clock.Advance(45*time.Second + time.Duration(res.Bytes/lanRate)*time.Second)
	}
	return res, err
}
