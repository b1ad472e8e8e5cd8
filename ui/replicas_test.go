package ui

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"cadang/jobs"
)

// Settings → Repositories and replicas, as IT staff: add a replica, test
// it (connect and list), sync it with the progress dialog, and test it
// again, against a real folder and the test SFTP server.
func TestReplicaAddTestSync(t *testing.T) {
	tests := []struct {
		name string
		fill func(t *testing.T, f *replicaForm)
	}{
		{"folder", func(t *testing.T, f *replicaForm) {
			f.kind.SetSelectedIndex(0)
			f.folder.SetText(filepath.Join(t.TempDir(), "gedung-b"))
		}},
		{"sftp", func(t *testing.T, f *replicaForm) {
			raw := os.Getenv("CADANG_TEST_SFTP_URL")
			if raw == "" {
				t.Skip("CADANG_TEST_SFTP_URL not set (scripts/services/sshd.sh start)")
			}
			t.Setenv("CADANG_SFTP_KEY", os.Getenv("CADANG_TEST_SFTP_KEY"))
			t.Setenv("CADANG_SFTP_KNOWN_HOSTS", os.Getenv("CADANG_TEST_SFTP_KNOWN_HOSTS"))
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			f.kind.SetSelectedIndex(1)
			f.sftpUser.SetText(u.User.Username())
			f.sftpHost.SetText(u.Hostname())
			f.sftpPort.SetText(u.Port())
			f.sftpPath.SetText(fmt.Sprintf("%s/ui-replica-%d", u.Path, time.Now().UnixNano()))
		}},
		{"rclone", func(t *testing.T, f *replicaForm) {
			// The remote is picked from `rclone listremotes`, as offered.
			conf, local := os.Getenv("CADANG_TEST_RCLONE_CONFIG"), os.Getenv("CADANG_TEST_RCLONE_LOCAL")
			if conf == "" || local == "" {
				t.Skip("CADANG_TEST_RCLONE_CONFIG not set (scripts/services/rclone.sh start)")
			}
			remote, dir, _ := strings.Cut(local, ":")
			f.kind.SetSelectedIndex(2)
			if !slices.Contains(f.remote.Options, remote+":") {
				t.Fatalf("the remotes offered are %q, want %s: among them", f.remote.Options, remote)
			}
			f.remote.SetSelected(remote + ":")
			f.remotePath.SetText(fmt.Sprintf("%s/ui-replica-%d", dir, time.Now().UnixNano()))
		}},
		{"s3", func(t *testing.T, f *replicaForm) {
			raw := os.Getenv("CADANG_TEST_S3_URL")
			if raw == "" {
				t.Skip("CADANG_TEST_S3_URL not set (scripts/services/s3.sh start)")
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
			f.kind.SetSelectedIndex(3)
			f.s3Host.SetText(u.Host)
			f.s3Bucket.SetText(bucket)
			f.s3Prefix.SetText(fmt.Sprintf("%s/ui-replica-%d", prefix, time.Now().UnixNano()))
			f.s3Plain.SetChecked(u.Scheme == "s3+http")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "rclone" && os.Getenv("CADANG_TEST_RCLONE_CONFIG") != "" {
				t.Setenv("RCLONE_CONFIG", os.Getenv("CADANG_TEST_RCLONE_CONFIG")) // before the form asks rclone
			}
			w := newTestWindow(t)
			o := newOffice(t)
			ctx := context.Background()
			if _, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{}); err != nil {
				t.Fatal(err) // creates the repository
			}
			tab := newReplicasTab(o.sessionFor(w, o.staff))
			w.SetContent(tab.content())
			add := tab.adds[o.repo]
			if add == nil {
				t.Fatalf("no Add replica… for %s: %q", o.repo, texts(w.Content()))
			}
			test.Tap(add)
			f := tab.form
			f.name.SetText("gedung-b")
			tt.fill(t, f)
			test.Tap(f.testBtn)
			if !strings.Contains(f.result.Text, "reachable and empty") {
				t.Fatalf("Test before the first sync says %q", f.result.Text)
			}
			test.Tap(f.save)
			row := tab.rows[o.repo+"|gedung-b"]
			if row == nil {
				t.Fatalf("no row for the new replica: %q; dialog %q", texts(w.Content()), dialogText(w))
			}
			closeDialogs(w)
			test.Tap(row.sync)
			if d := dialogText(w); !strings.Contains(d, "Offsite copy up to date") {
				t.Fatalf("after Sync now: dialog %q", d)
			}
			closeDialogs(w)
			row = tab.rows[o.repo+"|gedung-b"]
			if !strings.Contains(row.state.Text, "synced") {
				t.Errorf("state after the sync: %q", row.state.Text)
			}
			test.Tap(row.test)
			if d := dialogText(w); !strings.Contains(d, "holds a copy of this repository with 1 snapshot") {
				t.Errorf("Test after the sync: %q", d)
			}
			audit, err := o.svc.Audit(ctx, o.manager, jobs.AuditFilter{Object: "replica:gedung-b"})
			if err != nil || len(audit) != 2 || audit[0].Actor != "budi" {
				t.Errorf("audit %+v, %v; want the add and the sync by budi", audit, err)
			}
		})
	}
}

// Cancel in the sync's progress dialog stops the copy: nothing is
// reported as an error, the replica is not recorded as failed, and the
// next sync completes.
func TestReplicaSyncCancel(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	if _, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.AddReplica(ctx, o.staff, o.repo, jobs.ReplicaSpec{Name: "gedung-b", URL: filepath.Join(t.TempDir(), "b")}); err != nil {
		t.Fatal(err)
	}
	s := o.sessionFor(w, o.staff)
	cancelled := false
	s.bg = func(work func()) {
		// The progress dialog is up when the copy starts: press its Cancel.
		if top := w.Canvas().Overlays().Top(); top != nil && !cancelled && shows(top, "Copying to gedung-b") {
			test.Tap(findButton(t, top, "Cancel"))
			cancelled = true
		}
		work()
	}
	tab := newReplicasTab(s)
	w.SetContent(tab.content())
	test.Tap(tab.rows[o.repo+"|gedung-b"].sync)
	if !cancelled {
		t.Fatal("the sync ran without its progress dialog")
	}
	if d := dialogText(w); d != "" {
		t.Errorf("after Cancel a dialog says %q; a cancel is not an error", d)
	}
	repos, err := o.svc.Repositories(ctx, o.staff)
	if err != nil {
		t.Fatal(err)
	}
	if r := repos[0].Replicas[0]; r.State.Status == jobs.ReplicaFailed || r.LastError != "" || !r.LastSync.IsZero() {
		t.Errorf("after Cancel the replica reads %+v", r)
	}
	test.Tap(tab.rows[o.repo+"|gedung-b"].sync)
	if d := dialogText(w); !strings.Contains(d, "Offsite copy up to date") {
		t.Errorf("the sync after the cancel: %q", d)
	}
}

// The tray says when an offsite copy still fails after its retries (the
// retries themselves run on jobs' clock: jobs.TestReplicaRetryWithBackoff).
func TestReplicaFinalFailureNotifies(t *testing.T) {
	a := test.NewTempApp(t)
	if err := applyLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	f := newFlow(context.Background(), a, w, "", inline, quietLog())
	test.AssertNotificationSent(t, runNotification(jobs.Event{Kind: jobs.EventReplicaFailed, Replica: "gdrive"}), func() {
		f.handleEvent(jobs.Event{Kind: jobs.EventReplicaFailed, Replica: "gdrive", JobID: 1})
	})
}

// APCA 3.4 in the window: the repository's share is gone; the wizard says
// so and offers the offsite copy; IT staff ask for a restore from it, the
// manager approves it on the dashboard, and staff carry it out to a
// verified result and file the handover form.
func TestReplicaRestoreThroughTheWindow(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{})
	must(err)
	offsite := filepath.Join(t.TempDir(), "gedung-b")
	_, err = o.svc.AddReplica(ctx, o.staff, o.repo, jobs.ReplicaSpec{Name: "gedung-b", URL: offsite})
	must(err)
	spec := o.job.JobSpec
	spec.Replicas = []string{"gedung-b"}
	edited, err := o.svc.EditJob(ctx, o.staff, o.job.Name, spec)
	must(err)
	_, err = o.svc.ApproveJob(ctx, o.manager, o.job.Name, edited.RevisionHash)
	must(err)
	_, err = o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{}) // copies to gedung-b
	must(err)
	must(os.Rename(o.repo, o.repo+".unmounted"))

	staff := o.sessionFor(w, o.staff)
	v := newRestoreView(staff)
	w.SetContent(v.content())
	if !strings.Contains(v.copyNote.Text, "The repository cannot be read") {
		t.Fatalf("the wizard does not say the repository is unreadable: %q", v.copyNote.Text)
	}
	test.Tap(findButton(t, v.dayList, "Offsite copy gedung-b: "+offsite))
	if v.replica() != "gedung-b" || v.chosen == nil {
		t.Fatalf("after choosing the offsite copy: replica %q, snapshot %v; %q", v.replica(), v.chosen, texts(w.Content()))
	}
	target := filepath.Join(t.TempDir(), "restored")
	test.Type(v.target, target)
	test.Type(v.reason, "Server keuangan rusak")
	test.Tap(v.ask)
	closeDialogs(w)
	reqs, err := o.svc.Requests(ctx, o.manager, jobs.RequestFilter{States: []string{jobs.RequestSubmitted}})
	must(err)
	if len(reqs) != 1 || reqs[0].Replica != "gedung-b" {
		t.Fatalf("requests waiting: %+v, want one from gedung-b", reqs)
	}

	d := newDashboardView(o.sessionFor(w, o.manager), nil, nil)
	w.SetContent(d.content())
	if !shows(w.Content(), "from the offsite copy gedung-b") {
		t.Errorf("the manager's inbox does not say where the data comes from: %q", texts(w.Content()))
	}
	test.Tap(d.approve[fmt.Sprintf("request#%d", reqs[0].ID)])

	v = newRestoreView(staff)
	w.SetContent(v.content())
	test.Tap(v.start[reqs[0].ID])
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), "Restore"))
	if dl := dialogText(w); !strings.Contains(dl, "Verified: every restored file matches the backup") {
		t.Fatalf("after the restore from gedung-b: %q", dl)
	}
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), "Handover form…"))
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), "File the form"))
	if dl := dialogText(w); !strings.Contains(dl, "The handover form is filed") {
		t.Fatalf("after filing the handover form: %q", dl)
	}
	if b, err := os.ReadFile(filepath.Join(target, "finance", "ledger.csv")); err != nil || !strings.Contains(string(b), "2026-01-02") {
		t.Errorf("restored ledger: %q, %v", b, err)
	}
}
