package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/jobs"
)

// story plays the office's week through the procedure.
type story struct {
	ctx   context.Context
	svc   *jobs.Service
	clock *clockwork.FakeClock
	o     *Office
	opt   Options
	users map[string]jobs.User
	err   error
}

// check keeps the first error, naming the step it happened in.
func (s *story) check(step string, err error) {
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("demo: %s: %w", step, err)
	}
}

// at moves the clock forward to the given day (0 = today) and time.
func (s *story) at(day, hour, minute int) {
	now := s.opt.Now
	t := time.Date(now.Year(), now.Month(), now.Day(), hour, minute, 0, 0, time.Local).AddDate(0, 0, day)
	if d := t.Sub(s.clock.Now()); d > 0 {
		s.clock.Advance(d)
	}
}

func (s *story) play() error {
	s.accounts()
	s.defineJobs()
	for day := -8; day <= -1 && s.err == nil; day++ {
		switch day { // the day's business, then the night's backups
		case -7:
			s.addReplicas()
		case -3:
			s.restoreForKeuangan()
		case -2:
			s.rejectedBackup()
		}
		s.night(day)
	}
	if s.err == nil {
		s.today()
	}
	return s.err
}

func (s *story) accounts() {
	admin, err := s.svc.Setup(s.ctx, jobs.SetupOptions{Admin: "admin", FullName: "Ayu Lestari", Password: s.opt.Password("admin"), Company: "PT Sefas Keliantama"})
	s.check("setup", err)
	s.users["admin"] = admin
	for _, p := range people {
		if s.err != nil {
			return
		}
		u, err := s.svc.AddUser(s.ctx, admin, jobs.NewUser{Name: p.name, FullName: p.full, Role: p.role, Department: p.dept, Password: s.opt.Password(p.name)})
		s.check("add "+p.name, err)
		s.users[p.name] = u
		s.o.Accounts = append(s.o.Accounts, p.name)
	}
}

func (s *story) defineJobs() {
	if s.err != nil {
		return
	}
	budi, gideon := s.users["budi"], s.users["gideon"]
	specs := []jobs.JobSpec{
		{Name: "keuangan", Sources: []string{s.o.Shares["keuangan"]}, Repository: s.o.Repos["keuangan"],
			Schedule:  jobs.Schedule{Kind: jobs.ScheduleWindow, WindowStart: "21:00", WindowEnd: "23:00"},
			Retention: jobs.Retention{KeepLast: 3, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12}, Excludes: []string{"*.tmp", "~$*"}},
		{Name: "hrd", Sources: []string{s.o.Shares["hrd"]}, Repository: s.o.Repos["hrd"],
			Schedule:  jobs.Schedule{Kind: jobs.ScheduleCron, Cron: "30 22 * * 1-5"},
			Retention: jobs.Retention{KeepLast: 10, KeepDaily: 14}},
		{Name: "engineering", Sources: []string{s.o.Shares["engineering"]}, Repository: s.o.Repos["engineering"],
			Schedule:  jobs.Schedule{Kind: jobs.ScheduleWindow, WindowStart: "20:00", WindowEnd: "22:00"},
			Retention: jobs.Retention{KeepLast: 3, KeepDaily: 7, KeepWeekly: 4}},
	}
	s.at(-8, 9, 15)
	for _, spec := range specs {
		_, err := s.svc.CreateJob(s.ctx, budi, spec)
		s.check("create job "+spec.Name, err)
		if s.err != nil {
			return
		}
		_, err = s.svc.SubmitJob(s.ctx, budi, spec.Name)
		s.check("submit job "+spec.Name, err)
	}
	s.at(-8, 10, 40)
	for _, spec := range specs {
		s.approveJob(gideon, spec.Name)
	}
}

func (s *story) approveJob(by jobs.User, name string) {
	if s.err != nil {
		return
	}
	j, err := s.svc.Job(s.ctx, by, name)
	s.check("show job "+name, err)
	if s.err == nil {
		_, err = s.svc.ApproveJob(s.ctx, by, name, j.RevisionHash)
		s.check("approve job "+name, err)
	}
}

// night is one evening: the departments' data changes during the day,
// then each approved job runs in its window.
func (s *story) night(day int) {
	s.at(day, 17, 5)
	s.check("change the shares", s.workday(day))
	weekday := s.clock.Now().Weekday()
	for _, run := range []struct {
		job          string
		hour, minute int
		weekdaysOnly bool
	}{{"engineering", 20, 2, false}, {"keuangan", 21, 4, false}, {"hrd", 22, 30, true}} {
		if s.err != nil {
			return
		}
		if run.weekdaysOnly && (weekday == time.Saturday || weekday == time.Sunday) {
			continue
		}
		j, err := s.svc.Job(s.ctx, s.users["budi"], run.job)
		s.check("show job "+run.job, err)
		if s.err != nil || j.State != jobs.JobApproved {
			continue
		}
		s.at(day, run.hour, run.minute)
		_, err = s.svc.RunJob(s.ctx, s.users["budi"], run.job, jobs.RunOptions{})
		s.check(fmt.Sprintf("run %s on day %d", run.job, day), err)
	}
}

// workday adds the day's new files and changes to the shares.
func (s *story) workday(day int) error {
	n := day + 9 // 1 … 8
	stamp := s.clock.Now().Format("2006-01-02")
	ledger := filepath.Join(s.o.Shares["keuangan"], "laporan", "2026", "11", "buku-besar.csv")
	f, err := os.OpenFile(ledger, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(f, "%s,4100,%d\n%s,4200,%d\n", stamp, 1250000+n*17000, stamp, 730000+n*9000); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	invoice := filepath.Join(s.o.Shares["keuangan"], "faktur", "2026", "11", fmt.Sprintf("INV-2026-%04d.pdf", 119+n))
	if err := os.WriteFile(invoice, fmt.Appendf(nil, "%%PDF-1.4 faktur %d %s\n", n, stamp), 0o644); err != nil {
		return err
	}
	drawing := filepath.Join(s.o.Shares["engineering"], "gambar", fmt.Sprintf("detail-pondasi-%02d.dwg", n))
	return os.WriteFile(drawing, make([]byte, 256<<10+n*4096), 0o644)
}

// addReplicas records the offsite copies after the first night's backups
// created the repositories, and names them in the jobs (approved again).
func (s *story) addReplicas() {
	if s.err != nil {
		return
	}
	budi := s.users["budi"]
	s.at(-7, 8, 45)
	copies := map[string]jobs.ReplicaSpec{
		"keuangan": {Name: "gedung-b", URL: filepath.Join(s.opt.Root, "gedung-b", "cadang", "keuangan")},
	}
	if _, err := exec.LookPath("rclone"); err == nil {
		copies["engineering"] = jobs.ReplicaSpec{Name: "gdrive", URL: "rclone:gdrive:cadang/engineering", BandwidthLimit: 4 << 20}
	} else {
		copies["engineering"] = jobs.ReplicaSpec{Name: "nas-lantai-3", URL: filepath.Join(s.opt.Root, "nas-lantai-3", "cadang", "engineering")}
	}
	for job, spec := range copies {
		_, err := s.svc.AddReplica(s.ctx, budi, s.o.Repos[job], spec)
		s.check("add replica "+spec.Name, err)
		s.nameReplicas(job, spec.Name)
	}
	s.at(-7, 9, 30)
	for job := range copies {
		s.approveJob(s.users["gideon"], job)
	}
}

// nameReplicas edits a job to send its backups to the replicas too.
func (s *story) nameReplicas(job string, names ...string) {
	if s.err != nil {
		return
	}
	j, err := s.svc.Job(s.ctx, s.users["budi"], job)
	s.check("show job "+job, err)
	if s.err != nil {
		return
	}
	spec := j.JobSpec
	spec.Replicas = append(spec.Replicas, names...)
	_, err = s.svc.EditJob(s.ctx, s.users["budi"], job, spec)
	s.check("edit job "+job, err)
}

// restoreForKeuangan: Finance overwrote November's reports; they ask for
// the data of two nights before, the manager approves, IT staff restore
// and verify it.
func (s *story) restoreForKeuangan() {
	if s.err != nil {
		return
	}
	sari, gideon, budi := s.users["sari"], s.users["gideon"], s.users["budi"]
	s.at(-3, 9, 12)
	asOf := time.Date(s.clock.Now().Year(), s.clock.Now().Month(), s.clock.Now().Day(), 23, 0, 0, 0, time.Local).AddDate(0, 0, -2)
	r, err := s.svc.CreateRequest(s.ctx, sari, jobs.NewRequest{Kind: jobs.KindRestore, Job: "keuangan", RequestedAt: asOf,
		Target:  filepath.Join(s.opt.Root, "restore", "keuangan-laporan-november"),
		Include: []string{"/keuangan/laporan/2026/11"}, Reason: "Laporan November tertimpa versi lama saat sinkronisasi laptop"})
	s.check("restore request", err)
	if s.err != nil {
		return
	}
	r, err = s.svc.SubmitRequest(s.ctx, sari, r.ID)
	s.check("submit restore request", err)
	s.at(-3, 10, 5)
	if s.err == nil {
		_, err = s.svc.ApproveRequest(s.ctx, gideon, r.ID, r.RevisionHash)
		s.check("approve restore request", err)
	}
	s.at(-3, 10, 31)
	if s.err == nil {
		_, err = s.svc.RunRequest(s.ctx, budi, r.ID, jobs.RunRequestOptions{})
		s.check("carry out the restore", err)
	}
	// The verification report is filed; the handover waits for Finance to
	// come and collect the data (Restores to carry out: Handover form).
}

// rejectedBackup: IT staff ask for an extra HRD backup at a bad time.
func (s *story) rejectedBackup() {
	if s.err != nil {
		return
	}
	budi, gideon := s.users["budi"], s.users["gideon"]
	s.at(-2, 13, 48)
	r, err := s.svc.CreateRequest(s.ctx, budi, jobs.NewRequest{Kind: jobs.KindBackup, Job: "hrd", RequestedAt: s.clock.Now().Add(7 * time.Hour),
		Reason: "Sebelum migrasi share HRD ke server baru"})
	s.check("backup request", err)
	if s.err != nil {
		return
	}
	_, err = s.svc.SubmitRequest(s.ctx, budi, r.ID)
	s.check("submit backup request", err)
	s.at(-2, 14, 20)
	if s.err == nil {
		_, err = s.svc.RejectRequest(s.ctx, gideon, r.ID, "Bentrok dengan proses penggajian malam ini; pilih malam lain")
		s.check("reject backup request", err)
	}
}

// today: what waits on the manager's desk this morning.
func (s *story) today() {
	sari, dewi, budi := s.users["sari"], s.users["dewi"], s.users["budi"]
	s.clock.Advance(s.opt.Now.Add(-3 * time.Hour).Sub(s.clock.Now()).Truncate(time.Minute))
	yesterday := time.Date(s.opt.Now.Year(), s.opt.Now.Month(), s.opt.Now.Day(), 23, 0, 0, 0, time.Local).AddDate(0, 0, -1)
	r, err := s.svc.CreateRequest(s.ctx, dewi, jobs.NewRequest{Kind: jobs.KindRestore, Job: "hrd", RequestedAt: yesterday,
		Target:  filepath.Join(s.opt.Root, "restore", "hrd-kontrak"),
		Include: []string{"/hrd/kontrak"}, Reason: "Template kontrak kerja terhapus dari share"})
	s.check("restore request for HRD", err)
	if s.err == nil {
		_, err = s.svc.SubmitRequest(s.ctx, dewi, r.ID)
		s.check("submit restore request for HRD", err)
	}
	s.clock.Advance(40 * time.Minute)
	r, err = s.svc.CreateRequest(s.ctx, sari, jobs.NewRequest{Kind: jobs.KindBackup, Job: "keuangan",
		RequestedAt: time.Date(s.opt.Now.Year(), s.opt.Now.Month(), s.opt.Now.Day(), 17, 30, 0, 0, time.Local).AddDate(0, 0, 1),
		Reason:      "Backup tambahan sebelum audit akhir tahun"})
	s.check("backup request for Keuangan", err)
	if s.err == nil {
		_, err = s.svc.SubmitRequest(s.ctx, sari, r.ID)
		s.check("submit backup request for Keuangan", err)
	}
	// HRD gets an offsite copy on the NAS: the change waits for approval,
	// and the copy has never been synced.
	s.clock.Advance(25 * time.Minute)
	nas := jobs.ReplicaSpec{Name: "nas-lantai-3", URL: filepath.Join(s.opt.Root, "nas-lantai-3", "cadang", "hrd")}
	_, err = s.svc.AddReplica(s.ctx, budi, s.o.Repos["hrd"], nas)
	if err != nil && !errors.Is(err, jobs.ErrRefused) {
		s.check("add the NAS replica", err)
	}
	s.nameReplicas("hrd", nas.Name)
}
