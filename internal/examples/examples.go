// Package examples produces docs/examples: it drives the real jobs.Service
// (catalog, engine, repository, replica, scheduler and every document)
// through SOP-IT-002 for the finance department of a fictional company,
// copies every document it files, and renders each PDF page to PNG.
//
// Only time is simulated: a fake clock walks through November 2026, and
// backups advance it by the time they would take on the department's
// network. Everything else is what Cadang really does to really written
// data (internal/demodata). The story: the IT manager rejects a schedule
// and approves it revised; a night runs; a night is missed and caught up;
// a night fails because the NAS is not mounted; the department asks for a
// backup, which is rejected, rescheduled and run; it asks for a restore,
// whose first attempt does not verify and whose second does; the data is
// handed over, the signed form scanned and attached after the weekend's
// nights; the week's history is filed.
package examples

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "time/tzdata" // Asia/Jakarta on machines without a zone database

	"github.com/jonboulle/clockwork"

	"cadang/internal/demodata"
	"cadang/jobs"
)

// Options configure a run of the story.
type Options struct {
	// Root holds srv/ (the workspace, the department's share, the
	// restore target, the scans) and mnt/ (the NAS and the copy in
	// building B); their paths appear in the documents. RunIsolated tells
	// the story with Root "/", in a namespace where /srv and /mnt are a
	// scratch folder's.
	Root string
	// Out receives the documents (and, with DPI > 0, their pages as PNG).
	Out string
	DPI int
	// Log, when set, hears what the story does.
	Log func(format string, args ...any)
}

// Document is one filed document copied to Out.
type Document struct {
	File   string // name in Out; empty for a document not copied (unshown)
	Number string
	Type   string
	Step   string // what the story was doing when it was filed
	Pages  []string
}

type story struct {
	ctx    context.Context
	opt    Options
	clock  *clockwork.FakeClock
	eng    *clockedEngine
	svc    *jobs.Service
	users  map[string]jobs.User
	share  string
	repo   string
	docs   []Document
	seen   map[int64]bool
	events <-chan jobs.Event
	stop   func()
	form   jobs.Document // the handover form, printed
}

// start is Monday 2 November 2026, 08:30 in Jakarta.
var start = time.Date(2026, time.November, 2, 8, 30, 0, 0, demodata.WIB)

// Run tells the story and returns the documents it filed, in order.
func Run(ctx context.Context, opt Options) ([]Document, error) {
	if opt.Log == nil {
		opt.Log = func(string, ...any) {}
	}
	// The story happens in Jakarta, and the service reads a job's window and
	// prints dates in the local zone: the process's local time is WIB.
	jakarta, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return nil, fmt.Errorf("examples: %w", err)
	}
	time.Local = jakarta
	s := &story{ctx: ctx, opt: opt, clock: clockwork.NewFakeClockAt(start), users: map[string]jobs.User{}, seen: map[int64]bool{}}
	s.eng = newClockedEngine(s.clock)
	if err := s.setup(); err != nil {
		return nil, err
	}
	defer s.svc.Close()
	defer s.stop()
	steps := []struct {
		name string
		fn   func() error
	}{
		{"schedule-rejected", s.scheduleRejected},
		{"schedule-approved", s.scheduleApproved},
		{"night-1", func() error { return s.night(2, jobs.RunSuccess) }},
		{"missed-night-2", s.missedNight},
		{"catch-up", s.catchUp},
		{"night-3-nas-not-mounted", s.failedNight},
		{"backup-request", s.backupRequest},
		{"night-5", func() error { return s.night(5, jobs.RunSuccess) }},
		{"restore-request", s.restoreRequest},
		{"handover-printed", s.handoverPrinted},
		{"nights-6-8", s.weekend},
		{"handover", s.handoverSigned},
		{"history", s.history},
	}
	for _, st := range steps {
		opt.Log("%s (%s)", st.name, s.clock.Now().Format("Mon 2 Jan 15:04"))
		if err := st.fn(); err != nil {
			return nil, fmt.Errorf("examples: %s: %w", st.name, err)
		}
		if err := s.collect(st.name); err != nil {
			return nil, fmt.Errorf("examples: %s: %w", st.name, err)
		}
	}
	return s.docs, nil
}

func (s *story) setup() error {
	for _, d := range []string{s.opt.Out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	ws := filepath.Join(s.opt.Root, "srv", "cadang")
	s.share = filepath.Join(s.opt.Root, "srv", "samba", "keuangan")
	s.repo = filepath.Join(s.opt.Root, "mnt", "nas", "backup", "keuangan")
	if _, err := demodata.Department(s.share, demodata.Options{Seed: 2026}); err != nil {
		return err
	}
	svc, err := jobs.OpenWorkspace(s.ctx, ws, jobs.Options{Clock: s.clock, Engine: s.eng,
		Replicator: clockedReplicator{inner: jobs.EngineReplicator{}, clock: s.clock}})
	if err != nil {
		return err
	}
	s.svc = svc
	s.events, s.stop = svc.Subscribe()
	admin, err := svc.Setup(s.ctx, jobs.SetupOptions{Admin: "admin", FullName: "Administrator Sistem", Password: "sandi-admin-2026", Company: "PT Sefas Keliantama"})
	if err != nil {
		return err
	}
	s.users["admin"] = admin
	for _, p := range demodata.People[1:] {
		u, err := svc.AddUser(s.ctx, admin, jobs.NewUser{Name: p.Login, FullName: p.FullName, Role: p.Role, Department: p.Department, Password: "sandi-" + p.Login + "-2026"})
		if err != nil {
			return err
		}
		s.users[p.Login] = u
	}
	// The repository on the NAS, ready for the job.
	r, err := jobs.LocalEngine{}.Open(s.ctx, s.repo, "", true)
	if err != nil {
		return err
	}
	return r.Close()
}

// spec is the job IT staff propose from the manager's analysis (SOP 5.3a).
func (s *story) spec(keepDaily int) jobs.JobSpec {
	return jobs.JobSpec{Name: "keuangan-harian", Sources: []string{s.share}, Repository: s.repo, Replicas: []string{"gedung-b"},
		Excludes:  []string{"~$*", "*.tmp", "Thumbs.db"},
		Retention: jobs.Retention{KeepLast: 10, KeepDaily: keepDaily, KeepWeekly: 8, KeepMonthly: 12},
		Schedule:  jobs.Schedule{Kind: jobs.ScheduleWindow, WindowStart: "21:00", WindowEnd: "23:00"}}
}

func (s *story) scheduleRejected() error {
	if _, err := s.svc.CreateJob(s.ctx, s.users["rizky"], s.spec(7)); err != nil {
		return err
	}
	// Its copy in building B (SOP 5.3f), on the share the job names.
	gedungB := filepath.Join(s.opt.Root, "mnt", "gedung-b", "backup", "keuangan")
	if _, err := s.svc.AddReplica(s.ctx, s.users["rizky"], s.repo, jobs.ReplicaSpec{Name: "gedung-b", URL: gedungB}); err != nil {
		return err
	}
	if _, err := s.svc.SubmitJob(s.ctx, s.users["rizky"], "keuangan-harian"); err != nil {
		return err
	}
	s.clock.Advance(50 * time.Minute)
	_, err := s.svc.RejectJob(s.ctx, s.users["gideon"], "keuangan-harian",
		"Retensi harian 7 hari terlalu pendek: kebijakan arsip Keuangan mensyaratkan 30 hari. Ubah lalu ajukan kembali.")
	return err
}

func (s *story) scheduleApproved() error {
	s.clock.Advance(40 * time.Minute)
	if _, err := s.svc.EditJob(s.ctx, s.users["rizky"], "keuangan-harian", s.spec(30)); err != nil {
		return err
	}
	if _, err := s.svc.SubmitJob(s.ctx, s.users["rizky"], "keuangan-harian"); err != nil {
		return err
	}
	s.clock.Advance(25 * time.Minute)
	j, err := s.svc.Job(s.ctx, s.users["gideon"], "keuangan-harian")
	if err != nil {
		return err
	}
	_, err = s.svc.ApproveJob(s.ctx, s.users["gideon"], "keuangan-harian", j.RevisionHash)
	return err
}

// scheduled runs the scheduler, as the service account, from now until
// the run of the given night has finished, then stops it: the window is
// open all day on the admin workstation, and closed at night's end.
func (s *story) scheduled(day int, waiters int, until func(jobs.Event) bool) error {
	s.drain()
	sc, err := s.svc.NewScheduler(s.ctx, s.users["penjadwal"])
	if err != nil {
		return err
	}
	if err := sc.Start(s.ctx); err != nil {
		return err
	}
	defer sc.Stop() //nolint:errcheck // the story goes on; Stop only waits
	if err := s.clock.BlockUntilContext(s.ctx, waiters); err != nil {
		return err
	}
	target := time.Date(2026, time.November, day, 21, 0, 0, 0, demodata.WIB)
	s.clock.Advance(target.Sub(s.clock.Now()))
	timeout := time.After(40 * time.Second)
	for {
		select {
		case ev := <-s.events:
			if until(ev) {
				return sc.Stop()
			}
		case <-timeout:
			return errors.New("the scheduled run did not finish")
		case <-s.ctx.Done():
			return s.ctx.Err()
		}
	}
}

// drain forgets the events of earlier steps.
func (s *story) drain() {
	for {
		select {
		case <-s.events:
		default:
			return
		}
	}
}

func runFinished(status string) func(jobs.Event) bool {
	return func(ev jobs.Event) bool {
		return ev.Kind == jobs.EventRunFinished && ev.Run != nil && ev.Run.Kind == jobs.KindBackup && (status == "" || ev.Run.Status == status)
	}
}

func (s *story) night(day int, want string) error {
	if wd := time.Date(2026, time.November, day, 0, 0, 0, 0, demodata.WIB).Weekday(); wd != time.Saturday && wd != time.Sunday {
		if _, err := demodata.Month(s.share, day, 2026); err != nil { // the working day's changes
			return err
		}
	}
	var got jobs.Run
	err := s.scheduled(day, 2, func(ev jobs.Event) bool {
		if runFinished("")(ev) {
			got = *ev.Run
			return true
		}
		return false
	})
	if err != nil {
		return err
	}
	if got.Status != want {
		return fmt.Errorf("night of %d November: %s (%s), want %s", day, got.Status, got.Error, want)
	}
	return nil
}

// missedNight: the workstation is switched off on the evening of the 3rd;
// the next morning Cadang starts and records the night as missed.
func (s *story) missedNight() error {
	s.clock.Advance(time.Date(2026, time.November, 4, 7, 45, 0, 0, demodata.WIB).Sub(s.clock.Now()))
	sc, err := s.svc.NewScheduler(s.ctx, s.users["penjadwal"])
	if err != nil {
		return err
	}
	if err := sc.Start(s.ctx); err != nil { // records the missed slot
		return err
	}
	return sc.Stop()
}

func (s *story) catchUp() error {
	// Finance worked on the 3rd: the share changed while the workstation was off.
	if _, err := demodata.Month(s.share, 3, 2026); err != nil {
		return err
	}
	s.clock.Advance(20 * time.Minute)
	missed, err := s.svc.MissedRuns(s.ctx, s.users["rizky"])
	if err != nil {
		return err
	}
	if len(missed) != 1 {
		return fmt.Errorf("%d missed runs, want the night of 3 November", len(missed))
	}
	run, err := s.svc.CatchUp(s.ctx, s.users["rizky"], missed[0].ID, jobs.RunOptions{})
	if err != nil {
		return err
	}
	if run.Status != jobs.RunSuccess {
		return fmt.Errorf("catch-up: %s", run.Status)
	}
	return nil
}

// failedNight: the NAS share is not mounted on the evening of the 4th.
func (s *story) failedNight() error {
	unmounted := s.repo + ".tidak-terpasang"
	if err := os.Rename(s.repo, unmounted); err != nil {
		return err
	}
	err := s.night(4, jobs.RunFailed)
	if rerr := os.Rename(unmounted, s.repo); err == nil {
		err = rerr
	}
	return err
}

// backupRequest: Finance asks for a backup before closing the month's
// books; the manager rejects the time (the window is busy), staff
// reschedule it, it is approved and runs from the scheduler.
func (s *story) backupRequest() error {
	s.clock.Advance(time.Date(2026, time.November, 5, 9, 10, 0, 0, demodata.WIB).Sub(s.clock.Now()))
	siti := s.users["siti"]
	r, err := s.svc.CreateRequest(s.ctx, siti, jobs.NewRequest{Kind: jobs.KindBackup, Job: "keuangan-harian",
		RequestedAt: time.Date(2026, time.November, 5, 21, 30, 0, 0, demodata.WIB),
		Reason:      "Cadangan sebelum tutup buku Oktober 2026 dan migrasi modul pajak di aplikasi akuntansi."})
	if err != nil {
		return err
	}
	if _, err := s.svc.SubmitRequest(s.ctx, siti, r.ID); err != nil {
		return err
	}
	s.clock.Advance(35 * time.Minute)
	if _, err := s.svc.RejectRequest(s.ctx, s.users["gideon"], r.ID,
		"Pukul 21:30 bertabrakan dengan back up harian (21:00–23:00). Jadwalkan ulang sore hari sebelum migrasi."); err != nil {
		return err
	}
	s.clock.Advance(20 * time.Minute)
	if _, err := s.svc.RescheduleRequest(s.ctx, s.users["dimas"], r.ID, time.Date(2026, time.November, 5, 17, 0, 0, 0, demodata.WIB)); err != nil {
		return err
	}
	s.clock.Advance(15 * time.Minute)
	cur, err := s.svc.Request(s.ctx, s.users["gideon"], r.ID)
	if err != nil {
		return err
	}
	if _, err := s.svc.ApproveRequest(s.ctx, s.users["gideon"], r.ID, cur.RevisionHash); err != nil {
		return err
	}
	if _, err := demodata.Month(s.share, 5, 2026); err != nil {
		return err
	}
	// The department's time comes first; the night's run follows at 21:00.
	s.drain()
	s.clock.Advance(time.Date(2026, time.November, 5, 16, 59, 0, 0, demodata.WIB).Sub(s.clock.Now()))
	sc, err := s.svc.NewScheduler(s.ctx, s.users["penjadwal"])
	if err != nil {
		return err
	}
	if err := sc.Start(s.ctx); err != nil {
		return err
	}
	if err := s.clock.BlockUntilContext(s.ctx, 3); err != nil {
		sc.Stop() //nolint:errcheck // the error below says what went wrong
		return err
	}
	s.clock.Advance(time.Minute)
	for done := false; !done; {
		select {
		case ev := <-s.events:
			done = ev.Kind == jobs.EventRequestChanged && ev.RequestID == r.ID && (ev.State == jobs.RequestCompleted || ev.State == jobs.RequestFailed)
		case <-time.After(2 * time.Minute):
			sc.Stop() //nolint:errcheck // the error below says what went wrong
			return errors.New("the requested backup did not run")
		}
	}
	return sc.Stop()
}

// restoreRequest: a spreadsheet of October was overwritten; Finance asks
// for the folder as it was on the night of 2 November. The first restore
// is not written whole on the target share, so its check fails and it is
// restored again (SOP 5.4d).
func (s *story) restoreRequest() error {
	s.clock.Advance(time.Date(2026, time.November, 6, 10, 5, 0, 0, demodata.WIB).Sub(s.clock.Now()))
	siti := s.users["siti"]
	target := filepath.Join(s.opt.Root, "srv", "samba", "pemulihan", "keuangan-2026-11-02")
	r, err := s.svc.CreateRequest(s.ctx, siti, jobs.NewRequest{Kind: jobs.KindRestore, Job: "keuangan-harian",
		RequestedAt: time.Date(2026, time.November, 2, 23, 0, 0, 0, demodata.WIB), Target: target,
		Include: []string{"/keuangan/Laporan Bulanan/2026"},
		Reason:  "Laporan Keuangan Oktober 2026.xlsx tertimpa versi lama saat rekonsiliasi; perlu data per malam 2 November."})
	if err != nil {
		return err
	}
	if _, err := s.svc.SubmitRequest(s.ctx, siti, r.ID); err != nil {
		return err
	}
	s.clock.Advance(25 * time.Minute)
	cur, err := s.svc.Request(s.ctx, s.users["hendra"], r.ID)
	if err != nil {
		return err
	}
	if _, err := s.svc.ApproveRequest(s.ctx, s.users["hendra"], r.ID, cur.RevisionHash); err != nil {
		return err
	}
	s.clock.Advance(30 * time.Minute)
	s.eng.mu.Lock()
	s.eng.damageNext = "keuangan/Laporan Bulanan/2026/Laporan Keuangan Oktober 2026.xlsx"
	s.eng.mu.Unlock()
	done, err := s.svc.RunRequest(s.ctx, s.users["rizky"], r.ID, jobs.RunRequestOptions{})
	if err != nil {
		return err
	}
	if done.State != jobs.RequestVerified || done.Attempts != 2 {
		return fmt.Errorf("restore ended %s after %d attempts, want verified after 2", done.State, done.Attempts)
	}
	return nil
}

func (s *story) restoreID() (int64, error) {
	rs, err := s.svc.Requests(s.ctx, s.users["rizky"], jobs.RequestFilter{Kind: jobs.KindRestore})
	if err != nil || len(rs) == 0 {
		return 0, fmt.Errorf("the restore request: %v", err)
	}
	return rs[0].ID, nil
}

// handoverPrinted: staff print the form for the department to sign; the
// request awaits signatures.
func (s *story) handoverPrinted() error {
	s.clock.Advance(40 * time.Minute)
	id, err := s.restoreID()
	if err != nil {
		return err
	}
	form, err := s.svc.Handover(s.ctx, s.users["rizky"], id, jobs.HandoverOptions{Receiver: "Siti Rahmawati", Witness: "Bambang Hartono",
		Notes: "Folder dipulihkan ke share pemulihan; salinan lama tetap disimpan 14 hari."})
	s.form = form
	return err
}

// weekend: the nights of Friday 6 to Sunday 8 November run as scheduled;
// nothing changes on the share over the weekend.
func (s *story) weekend() error {
	for day := 6; day <= 8; day++ {
		if err := s.night(day, jobs.RunSuccess); err != nil {
			return err
		}
	}
	return nil
}

// handoverSigned: the department signs the form on Monday morning; its
// scan is attached, which completes the handover.
func (s *story) handoverSigned() error {
	s.clock.Advance(time.Date(2026, time.November, 9, 8, 40, 0, 0, demodata.WIB).Sub(s.clock.Now()))
	scan, err := scannedCopy(s.ctx, s.form.Path, filepath.Join(s.opt.Root, "srv", "samba", "it", "pindai"))
	if err != nil {
		return err
	}
	_, err = s.svc.AttachSigned(s.ctx, s.users["rizky"], s.form.Number, scan)
	return err
}

func (s *story) history() error {
	s.clock.Advance(35 * time.Minute)
	_, err := s.svc.FileHistoryReport(s.ctx, s.users["rizky"], time.Date(2026, time.November, 2, 0, 0, 0, 0, demodata.WIB),
		time.Date(2026, time.November, 9, 0, 0, 0, 0, demodata.WIB))
	return err
}

// unshown are the steps whose documents are filed like an earlier one's
// (a night's execution report): they are listed, not copied to Out.
var unshown = map[string]bool{"night-5": true, "nights-6-8": true}

// collect copies the documents filed since the last step to Out, named
// after the step, and renders their pages.
func (s *story) collect(step string) error {
	docs, err := s.svc.Documents(s.ctx, s.users["rizky"], jobs.DocumentFilter{})
	if err != nil {
		return err
	}
	for _, d := range docs {
		if s.seen[d.ID] {
			continue
		}
		s.seen[d.ID] = true
		if unshown[step] {
			s.docs = append(s.docs, Document{Number: d.Number, Type: d.Type, Step: step})
			continue
		}
		ext := filepath.Ext(d.Path)
		copied := 0
		for _, d := range s.docs {
			if d.File != "" {
				copied++
			}
		}
		name := fmt.Sprintf("%02d-%s-%s", copied+1, step, strings.TrimSuffix(d.Type, "-form"))
		if d.Revision > 0 {
			name += fmt.Sprintf("-rev%d", d.Revision)
		}
		b, err := os.ReadFile(d.Path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(s.opt.Out, name+ext), b, 0o644); err != nil {
			return err
		}
		doc := Document{File: name + ext, Number: d.Number, Type: d.Type, Step: step}
		if ext == ".pdf" && s.opt.DPI > 0 {
			if doc.Pages, err = renderPages(s.ctx, filepath.Join(s.opt.Out, name+ext), s.opt.DPI); err != nil {
				return err
			}
		}
		s.docs = append(s.docs, doc)
		s.opt.Log("  %s %s", doc.File, d.Number)
	}
	return nil
}
