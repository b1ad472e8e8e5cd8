package engine

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestExtendedAttributes: a Samba share keeps each file's Windows ACL in
// security.NTACL and tags in user.*; a restore (as root) brings them back
// on files and folders, an unchanged file keeps them through the next
// backup without being read, and changing only an attribute is seen.
func TestExtendedAttributes(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("security.* attributes need root")
	}
	ctx := context.Background()
	r, _ := newLocalRepo(t, "pw")
	src := filepath.Join(t.TempDir(), "share")
	writeTree(t, src, map[string]string{"keuangan/laporan.xlsx": "finance", "plain.txt": "no attributes"})
	ntacl := []byte{0x04, 0x00, 0x00, 0x00, 0xff, 0x01, 'S', '-', '1', '-', '5', 0x00}
	attrs := map[string]map[string][]byte{
		"keuangan/laporan.xlsx": {"security.NTACL": ntacl, "user.DOSATTRIB": []byte("0x20")},
		"keuangan":              {"user.department": []byte("Keuangan")},
	}
	for rel, m := range attrs {
		for name, val := range m {
			if err := unix.Lsetxattr(filepath.Join(src, rel), name, val, 0); err != nil {
				if errors.Is(err, unix.ENOTSUP) {
					t.Skipf("the temporary folder's file system has no extended attributes: %v", err)
				}
				t.Fatal(err)
			}
		}
	}
	restoreAndCompare := func(snap Snapshot, want map[string]map[string][]byte) {
		t.Helper()
		target := t.TempDir()
		rr, err := r.Restore(ctx, snap, target, RestoreOptions{})
		if err != nil || len(rr.Failed) != 0 {
			t.Fatalf("restore: %v, failed %+v", err, rr.Failed)
		}
		compareDirs(t, src, filepath.Join(target, "share"))
		for _, rel := range []string{"keuangan/laporan.xlsx", "keuangan", "plain.txt"} {
			got, err := pathXattrs(filepath.Join(target, "share", rel))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want[rel]) {
				t.Errorf("%s: attributes %q, want %q", rel, got, want[rel])
			}
			for name, val := range want[rel] {
				if !bytes.Equal(got[name], val) {
					t.Errorf("%s: %s = %q, want %q", rel, name, got[name], val)
				}
			}
		}
	}
	res, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil || len(res.Warnings) != 0 {
		t.Fatalf("backup: %v, warnings %+v", err, res.Warnings)
	}
	restoreAndCompare(res.Snapshot, attrs)

	res2, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil || res2.BytesRead != 0 {
		t.Fatalf("second backup read %d bytes (%v), want none", res2.BytesRead, err)
	}
	restoreAndCompare(res2.Snapshot, attrs)

	// Windows permissions changed on the share: only the attribute moves.
	changed := []byte{0x04, 0x00, 0x00, 0x00, 0xff, 0x02, 'S', '-', '1', '-', '5', '-', '3', '2'}
	if err := unix.Setxattr(filepath.Join(src, "keuangan", "laporan.xlsx"), "security.NTACL", changed, 0); err != nil {
		t.Fatal(err)
	}
	res3, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	attrs["keuangan/laporan.xlsx"]["security.NTACL"] = changed
	restoreAndCompare(res3.Snapshot, attrs)

	// A folder's attributes, taken from the parent snapshot while the
	// folder's ctime stays, are read again once one is changed or removed.
	dir := filepath.Join(src, "keuangan")
	if err := unix.Lsetxattr(dir, "user.department", []byte("Keuangan dan Pajak"), 0); err != nil {
		t.Fatal(err)
	}
	res4, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	attrs["keuangan"]["user.department"] = []byte("Keuangan dan Pajak")
	restoreAndCompare(res4.Snapshot, attrs)
	if err := unix.Lremovexattr(dir, "user.department"); err != nil {
		t.Fatal(err)
	}
	res5, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	delete(attrs, "keuangan")
	restoreAndCompare(res5.Snapshot, attrs)
}
