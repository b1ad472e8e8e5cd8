package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // to tamper with the catalog
)

// procedureCLI is a workspace with an admin, a staff and a manager account.
type procedureCLI struct {
	t                 *testing.T
	ws                string
	admin, staff, mgr string // login files
}

func newProcedureCLI(t *testing.T) *procedureCLI {
	p := &procedureCLI{t: t, ws: filepath.Join(t.TempDir(), "ws")}
	p.admin = writeFile(t, "admin.pw", "admin-pass-1\n")
	p.staff = writeFile(t, "staff.pw", "staff-pass-1\n")
	p.mgr = writeFile(t, "mgr.pw", "manager-pass-1\n")
	p.ok("setup", "--admin", "admin", "--password-file", p.admin, "--no-records-backup")
	p.ok("user", "add", "--as", "admin", "--login-file", p.admin, "--name", "yoga", "--role", "staff", "--password-file", p.staff)
	p.ok("user", "add", "--as", "admin", "--login-file", p.admin, "--name", "gideon", "--role", "manager", "--password-file", p.mgr)
	return p
}

func (p *procedureCLI) run(args ...string) (int, string, string) {
	p.t.Helper()
	return run(p.t, append(args, "--workspace", p.ws)...)
}

func (p *procedureCLI) ok(args ...string) string {
	p.t.Helper()
	code, out, stderr := p.run(args...)
	if code != ExitOK {
		p.t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	return out
}

// rev is the current revision of a job or request, as `show --json`
// prints it to whoever reviews it (here the administrator).
func (p *procedureCLI) rev(kind, ref string) string {
	p.t.Helper()
	out := p.ok(kind, "show", ref, "--json", "--as", "admin", "--login-file", p.admin)
	var v struct {
		RevisionHash string `json:"revision_hash"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.RevisionHash == "" {
		p.t.Fatalf("%s show %s --json = %q (%v): no revision_hash", kind, ref, out, err)
	}
	return v.RevisionHash
}

// refused checks exit status 3 with one clear line mentioning want.
// approvedJob has IT staff (yoga) define a job backing src up into repo
// and submit it, and the IT manager (gideon) approve it.
func (p *procedureCLI) approvedJob(name, repo, src string) {
	p.t.Helper()
	asStaff := []string{"--as", "yoga", "--login-file", p.staff}
	p.ok(append([]string{"job", "new", "--name", name, "--repo", repo, "--source", src}, asStaff...)...)
	p.ok(append([]string{"job", "submit", name}, asStaff...)...)
	p.ok("job", "approve", name, "--revision", p.rev("job", name), "--as", "gideon", "--login-file", p.mgr)
}

func (p *procedureCLI) refused(want string, args ...string) {
	p.t.Helper()
	code, _, stderr := p.run(args...)
	if code != ExitRefused {
		p.t.Errorf("%v: exit %d, want %d (stderr %q)", args, code, ExitRefused, stderr)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, want) {
		p.t.Errorf("%v: stderr %q, want one line mentioning %q", args, stderr, want)
	}
}

func TestCLIRefusesUnapprovedWorkAndSelfApproval(t *testing.T) {
	p := newProcedureCLI(t)
	src := t.TempDir()
	asStaff := []string{"--as", "yoga", "--login-file", p.staff}
	asMgr := []string{"--as", "gideon", "--login-file", p.mgr}
	with := func(who []string, args ...string) []string { return append(args, who...) }

	p.refused("administrator", with(asStaff, "user", "add", "--name", "x", "--role", "user", "--password-file", p.staff)...)
	id := strings.TrimSpace(p.ok(with(asStaff, "job", "new", "--name", "erp", "--repo", filepath.Join(t.TempDir(), "repo"), "--source", src)...))
	if id != "1" {
		t.Fatalf("job new printed %q, want the ID 1", id)
	}
	p.refused("not approved", with(asStaff, "job", "run", "erp")...)
	p.ok(with(asStaff, "job", "submit", "erp")...)
	p.refused("not approved", with(asStaff, "job", "run", "erp")...)
	p.refused("manager", with(asStaff, "job", "approve", "erp", "--revision", p.rev("job", "erp"))...)
	p.ok(with(asMgr, "job", "approve", "erp", "--revision", p.rev("job", "erp"))...)
	out := p.ok(with(asStaff, "job", "edit", "erp", "--exclude", "*.tmp")...)
	if !strings.Contains(out, "submitted") {
		t.Errorf("job edit of an approved job: %q, want it back to submitted", out)
	}
	p.refused("not approved", with(asStaff, "job", "run", "erp")...)

	out = p.ok(with(asMgr, "request", "new", "--kind", "backup", "--job", "erp", "--reason", "before upgrade", "--json")...)
	var created struct{ ID int64 }
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID == 0 {
		t.Fatalf("request new --json = %q (%v), want an object with id", out, err)
	}
	p.ok(with(asMgr, "request", "submit", "1")...)
	p.refused("own request", with(asMgr, "request", "approve", "1", "--revision", p.rev("request", "1"))...)
	p.refused("not approved", with(asStaff, "request", "run", "1")...)
	p.refused("reason", with(asMgr, "job", "reject", "erp")...)

	p.refused("wrong user name or password", "job", "list", "--as", "yoga", "--login-file", p.mgr)
	t.Setenv("CADANG_LOGIN", "staff-pass-1")
	p.ok("job", "list", "--as", "yoga")
}

func TestCLIAuditVerifyDetectsTampering(t *testing.T) {
	p := newProcedureCLI(t)
	args := []string{"audit", "verify", "--as", "gideon", "--login-file", p.mgr}
	if out := p.ok(args...); !strings.Contains(out, "audit log OK") {
		t.Fatalf("audit verify: %q", out)
	}
	db, err := sql.Open("sqlite3", filepath.Join(p.ws, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), `UPDATE audit SET to_state='manager' WHERE seq=2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, stderr := p.run(args...)
	if code != ExitDamaged || !strings.Contains(out, "entry 2") || !strings.Contains(stderr, "tampered") {
		t.Errorf("tampered audit: exit %d, out %q, stderr %q", code, out, stderr)
	}

	pdf := writeFile(t, "stranger.pdf", "%PDF-1.4 not ours")
	code, _, stderr = p.run("docs", "verify", pdf, "--as", "yoga", "--login-file", p.staff)
	if code != ExitDamaged || !strings.Contains(stderr, "no registered document") {
		t.Errorf("docs verify of an unknown PDF: exit %d, stderr %q; want %d", code, stderr, ExitDamaged)
	}
	if _, err := os.Stat(pdf); err != nil {
		t.Fatal(err)
	}
}

// Holes: `docs verify FILE` exited 1 on a mismatch, a code from paper
// could not be checked, and `docs attach` did not exist.
func TestCLIDocsAttachAndVerifyCode(t *testing.T) {
	p := newProcedureCLI(t)
	staff := []string{"--as", "yoga", "--login-file", p.staff}
	with := func(args ...string) []string { return append(args, staff...) }
	var doc struct {
		Number, Path string
		Code         string `json:"verify_code"`
	}
	out := p.ok(with("docs", "history", "--from", "2026-11-01", "--to", "2026-12-01", "--json")...)
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Code == "" {
		t.Fatalf("docs history --json: %q, %v", out, err)
	}
	if out := p.ok(with("docs", "verify", "--code", strings.ToLower(doc.Code))...); !strings.Contains(out, doc.Number) || !strings.Contains(out, "unchanged") {
		t.Errorf("docs verify --code: %q, want %s registered and unchanged", out, doc.Number)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"an unknown code", []string{"docs", "verify", "--code", "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}, ExitDamaged, "no registered document"},
		{"both a file and a code", []string{"docs", "verify", doc.Path, "--code", doc.Code}, ExitUsage, "FILE.pdf or --code"},
		{"a JPEG as the signed scan", []string{"docs", "attach", doc.Number, writeFile(t, "scan.jpg", "\xff\xd8\xff")}, ExitRefused, "not a PDF"},
		{"the unsigned original as the scan", []string{"docs", "attach", doc.Number, doc.Path}, ExitRefused, "unsigned original"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := p.run(with(tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want %d and one line saying %q", code, stderr, tt.code, tt.want)
			}
		})
	}
	scan := writeFile(t, "ttd.pdf", "%PDF-1.5\n%signed\n%%EOF\n")
	var signed struct{ Number, Type, Kind, Of string }
	if err := json.Unmarshal([]byte(p.ok(with("docs", "attach", doc.Number, scan, "--json")...)), &signed); err != nil {
		t.Fatal(err)
	}
	if signed.Type != "signed-scan" || signed.Kind != "signed scan of "+doc.Number || signed.Of != doc.Number {
		t.Errorf("attach --json: %+v", signed)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(p.ok(with("docs", "list", "--json")...)), &list); err != nil || len(list) != 2 {
		t.Fatalf("docs list --json: %v, %v", list, err)
	}
	for _, d := range list {
		for _, k := range []string{"type", "number", "path", "verify_code"} {
			if _, ok := d[k]; !ok {
				t.Errorf("docs list --json entry lacks %q: %v", k, d)
			}
		}
	}
	altered := writeFile(t, "altered.pdf", string(append(mustReadFile(t, doc.Path), '\n')))
	if code, _, stderr := p.run(with("docs", "verify", altered)...); code != ExitDamaged {
		t.Errorf("docs verify of an altered copy: exit %d (%s), want %d", code, stderr, ExitDamaged)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signalWriter closes ready when the daemon says it is scheduling.
type signalWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	once  sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), "scheduling approved jobs") {
		w.once.Do(func() { close(w.ready) })
	}
	return len(p), nil
}

func TestCLIDaemonRunsUntilCancelled(t *testing.T) {
	p := newProcedureCLI(t)
	code, _, stderr := p.run("daemon", "--as", "siti-not-there", "--login-file", p.staff)
	if code != ExitRefused {
		t.Errorf("daemon as an unknown account: exit %d (%s), want %d", code, stderr, ExitRefused)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errw := &signalWriter{ready: make(chan struct{})}
	done := make(chan int)
	go func() {
		done <- Execute(ctx, []string{"daemon", "--workspace", p.ws, "--as", "yoga", "--login-file", p.staff},
			Options{Stdout: io.Discard, Stderr: errw, Stdin: strings.NewReader("")})
	}()
	select {
	case <-errw.ready:
	case code := <-done:
		t.Fatalf("daemon exited with %d before scheduling: %s", code, errw.buf.String())
	}
	cancel() // what SIGINT does through main's signal.NotifyContext
	if code := <-done; code != ExitOK {
		t.Errorf("daemon exit status after SIGINT = %d, want 0 (%s)", code, errw.buf.String())
	}
}

func TestCLIRestoreRequestEndToEnd(t *testing.T) {
	p := newProcedureCLI(t)
	siti := writeFile(t, "siti.pw", "siti-pass-12\n")
	p.ok("user", "add", "--as", "admin", "--login-file", p.admin, "--name", "siti", "--role", "user", "--department", "Keuangan", "--password-file", siti)
	staff := []string{"--as", "yoga", "--login-file", p.staff}
	mgr := []string{"--as", "gideon", "--login-file", p.mgr}
	user := []string{"--as", "siti", "--login-file", siti}
	with := func(who []string, args ...string) []string { return append(args, who...) }

	src := filepath.Join(t.TempDir(), "keuangan")
	if err := os.MkdirAll(src, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "laporan.txt"), []byte("laporan november"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "lain.txt"), []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(t.TempDir(), "repo")
	p.ok(with(staff, "job", "new", "--name", "keuangan", "--repo", repo, "--source", src)...)
	p.ok(with(staff, "job", "submit", "keuangan")...)
	p.ok(with(mgr, "job", "approve", "keuangan", "--revision", p.rev("job", "keuangan"))...)
	p.ok(with(staff, "job", "run", "keuangan")...)

	restore := func(target string, extra ...string) string {
		at := time.Now().Add(time.Minute).Format("2006-01-02 15:04")
		args := append([]string{"request", "new", "--kind", "restore", "--job", "keuangan", "--at", at, "--target", target, "--reason", "tertimpa"}, extra...)
		id := strings.TrimSpace(p.ok(with(user, args...)...))
		p.ok(with(user, "request", "submit", id)...)
		p.ok(with(mgr, "request", "approve", id, "--revision", p.rev("request", id))...)
		return id
	}
	target := filepath.Join(t.TempDir(), "pulih")
	id := restore(target)
	if out := p.ok(with(staff, "request", "run", id)...); !strings.Contains(out, "verified") {
		t.Errorf("request run: %q, want verified", out)
	}
	if b, err := os.ReadFile(filepath.Join(target, "keuangan", "laporan.txt")); err != nil || string(b) != "laporan november" {
		t.Fatalf("restored file: %q, %v", b, err)
	}
	// A partial restore: only the file named with --include comes back.
	part := filepath.Join(t.TempDir(), "sebagian")
	pid := restore(part, "--include", "/keuangan/laporan.txt")
	if out := p.ok(with(staff, "request", "show", pid)...); !strings.Contains(out, "include:   /keuangan/laporan.txt") {
		t.Errorf("request show: %q, want the include line", out)
	}
	p.ok(with(staff, "request", "run", pid)...)
	if _, err := os.Stat(filepath.Join(part, "keuangan", "laporan.txt")); err != nil {
		t.Errorf("included file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(part, "keuangan", "lain.txt")); !os.IsNotExist(err) {
		t.Errorf("file outside --include was restored (stat err %v)", err)
	}

	var doc struct{ Path, Number string }
	if err := json.Unmarshal([]byte(p.ok(with(staff, "request", "handover", id, "--json")...)), &doc); err != nil || doc.Path == "" {
		t.Fatalf("handover --json: %+v, %v", doc, err)
	}
	if out := p.ok(with(staff, "docs", "verify", doc.Path)...); !strings.Contains(out, doc.Number) {
		t.Errorf("docs verify: %q, want it to name %s", out, doc.Number)
	}
	if out := p.ok(with(staff, "request", "show", id)...); !strings.Contains(out, "awaiting-signatures") {
		t.Errorf("request after the handover form: %q, want awaiting-signatures", out)
	}
	scan := writeFile(t, "ttd.pdf", "%PDF-1.4\n%signed paper, scanned\n%%EOF\n")
	p.ok(with(staff, "docs", "attach", doc.Number, scan)...)
	if out := p.ok(with(staff, "request", "show", id)...); !strings.Contains(out, "handed-over") || !strings.Contains(out, doc.Number+"-TTD1") {
		t.Errorf("request after the signed scan: %q, want handed-over and the scan listed", out)
	}

	// Damage the repository: the restore retries, then fails with exit status 5.
	var packs []string
	filepath.Walk(filepath.Join(repo, "packs"), func(path string, info os.FileInfo, err error) error { //nolint:errcheck // a missing folder leaves packs empty
		if err == nil && !info.IsDir() {
			packs = append(packs, path)
		}
		return nil
	})
	if len(packs) == 0 {
		t.Fatal("no pack files to damage")
	}
	for _, pack := range packs {
		b, err := os.ReadFile(pack)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0xff
		if err := os.WriteFile(pack, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	id = restore(filepath.Join(t.TempDir(), "pulih-2"))
	code, out, stderr := p.run(with(staff, "request", "run", id)...)
	if code != ExitDamaged || !strings.Contains(out, "failed") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("restore from a damaged repository: exit %d, out %q, stderr %q; want %d, failed, one line", code, out, stderr, ExitDamaged)
	}
	p.ok(with(mgr, "audit", "verify")...)
}

func TestCLISettings(t *testing.T) {
	p := newProcedureCLI(t)
	p.ok("settings", "set", "company.name", "PT Contoh Jaya", "--as", "admin", "--login-file", p.admin)
	p.refused("administrator or an IT manager", "settings", "set", "sop.revision", "02", "--as", "yoga", "--login-file", p.staff)
	out := p.ok("settings", "list", "--json", "--as", "yoga", "--login-file", p.staff)
	var set map[string]string
	if err := json.Unmarshal([]byte(out), &set); err != nil {
		t.Fatal(err)
	}
	if set["company.name"] != "PT Contoh Jaya" || set["sop.document_no"] != "SOP-IT-002" {
		t.Errorf("settings = %v", set)
	}
}

func TestCLIJobDelete(t *testing.T) {
	p := newProcedureCLI(t)
	siti := writeFile(t, "siti.pw", "siti-pass-12\n")
	p.ok("user", "add", "--as", "admin", "--login-file", p.admin, "--name", "siti", "--role", "user", "--password-file", siti)
	staff := []string{"--as", "yoga", "--login-file", p.staff}
	with := func(who []string, args ...string) []string { return append(args, who...) }
	repo := filepath.Join(t.TempDir(), "repo")
	p.ok(with(staff, "job", "new", "--name", "erp", "--repo", repo, "--source", t.TempDir())...)
	p.ok(with(staff, "job", "submit", "erp")...)
	p.ok("job", "approve", "erp", "--revision", p.rev("job", "erp"), "--as", "gideon", "--login-file", p.mgr)

	p.refused("delete job erp", "job", "delete", "erp", "--as", "siti", "--login-file", siti)
	if out := p.ok(with(staff, "job", "delete", "erp")...); !strings.Contains(out, "not deleted") || !strings.Contains(out, repo) {
		t.Errorf("job delete: %q, want it to say the repository is kept", out)
	}
	if out := p.ok(with(staff, "job", "list")...); strings.Contains(out, "erp") {
		t.Errorf("job list shows the deleted job: %q", out)
	}
	if out := p.ok(with(staff, "job", "list", "--all")...); !strings.Contains(out, "retired") {
		t.Errorf("job list --all: %q, want the retired job", out)
	}
	p.refused("not approved", with(staff, "job", "run", "erp")...)
	p.refused("already deleted", with(staff, "job", "delete", "erp")...)
}

// The daemon runs as a service account whose password comes from
// $CADANG_LOGIN as well as --login-file; without an account it says how.
func TestCLIDaemonServiceAccount(t *testing.T) {
	p := newProcedureCLI(t)
	code, _, stderr := p.run("daemon")
	if code != ExitUsage || !strings.Contains(stderr, "--as NAME --login-file FILE") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("daemon without an account: exit %d, stderr %q; want one usage line with the command", code, stderr)
	}
	svcPw := writeFile(t, "svc.pw", "service-pass-1\n")
	p.ok("user", "add", "--as", "admin", "--login-file", p.admin, "--name", "cadang-svc", "--role", "staff", "--password-file", svcPw)
	t.Setenv("CADANG_LOGIN", "service-pass-1")
	ctx, cancel := context.WithCancel(context.Background())
	errw := &signalWriter{ready: make(chan struct{})}
	done := make(chan int)
	go func() {
		done <- Execute(ctx, []string{"daemon", "--workspace", p.ws, "--as", "cadang-svc"},
			Options{Stdout: io.Discard, Stderr: errw, Stdin: strings.NewReader("")})
	}()
	select {
	case <-errw.ready:
	case code := <-done:
		t.Fatalf("daemon with $CADANG_LOGIN exited with %d before scheduling: %s", code, errw.buf.String())
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Errorf("daemon exit status = %d, want 0 (%s)", code, errw.buf.String())
	}
}
