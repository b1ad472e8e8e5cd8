package forms_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"cadang/forms"
	"cadang/pdfdoc"
	"cadang/pdfdoc/pdftest"
	"cadang/pdfdoc/sample"
)

var at = sample.At(2026, time.November, 24, 9, 15)

func backupRequest(lang pdfdoc.Lang) forms.RequestForm {
	return forms.RequestForm{
		Meta:        sample.Meta("FRM-IT-002-01/2026/0007", "K7Q2-9XHD", lang, at),
		Kind:        "backup",
		Department:  "Keuangan",
		Requester:   "Siti Rahmawati",
		Data:        "Folder laporan keuangan",
		Paths:       []string{"D:/Data/Keuangan/Laporan Bulanan/2026", "D:/Data/Keuangan/Faktur Pajak"},
		RequestedAt: sample.At(2026, time.November, 30, 21, 0),
		Reason:      "Tutup buku akhir bulan November 2026.",
		Status:      "approved",
		DecidedBy:   "Dewi Anggraini",
		DecidedAt:   sample.At(2026, time.November, 24, 14, 2),
		Signatures: []pdfdoc.Signature{
			{Name: "Siti Rahmawati", Title: "Departemen Keuangan", Date: sample.At(2026, time.November, 23, 10, 0)},
			{},
			{Name: "Dewi Anggraini", Title: "IT Manager", Date: sample.At(2026, time.November, 24, 14, 2)},
		},
	}
}

func rejectedRestore() forms.RequestForm {
	f := backupRequest(pdfdoc.English)
	f.Meta.Number = "FRM-IT-002-01/2026/0005"
	f.Kind = "restore"
	f.Paths = nil
	f.Target = "D:/Restore/SDM-2026-11-18"
	f.Reason = "Contract files overwritten by mistake."
	f.Status = "rejected"
	f.RejectReason = "Restore target is on the shared drive; choose a private folder."
	return f
}

func handover(lang pdfdoc.Lang) forms.HandoverForm {
	return forms.HandoverForm{
		Meta:           sample.Meta("FRM-IT-002-04/2026/0011", "H5XD-8CNU", lang, sample.At(2026, time.November, 25, 15, 30)),
		RequestNumber:  "FRM-IT-002-01/2026/0008",
		Department:     "Keuangan",
		Requester:      "Siti Rahmawati",
		Data:           "Keuangan/Laporan Bulanan/2026",
		SnapshotID:     "5be2a910",
		SnapshotTime:   sample.At(2026, time.November, 14, 21, 37),
		Target:         "D:/Restore/Keuangan-2026-11-14",
		Files:          1873,
		Bytes:          2_318_004_551,
		VerifiedFiles:  1873,
		VerificationOK: true,
		Notes:          "Salinan lama disimpan 14 hari.",
		Giver:          pdfdoc.Signature{Name: "Rizky Pratama", Title: "IT Staff"},
		Receiver:       pdfdoc.Signature{Name: "Siti Rahmawati", Title: "Supervisor Akuntansi"},
		Witness:        pdfdoc.Signature{Name: "Bambang Hartono", Title: "Manajer Keuangan"},
	}
}

func schedule(decision string) forms.ScheduleRecord {
	return forms.ScheduleRecord{
		Meta: sample.Meta("FRM-IT-002-06/2026/0002", "41YT-JQBZ-KCJ2-VYWG", pdfdoc.Indonesian, at),
		Job:  "keuangan-harian", Revision: 2, Digest: "5be2a9103c7d", Decision: decision,
		Sources:    []string{"//srv-file-01/keuangan", "postgres://cadang_backup@db1:5432/akuntansi"},
		Excludes:   []string{"~$*", "*.tmp"},
		Repository: "//nas-01/backup/keuangan", Replicas: []string{"gedung-b", "gdrive"},
		Schedule:  forms.Schedule{Kind: "window", WindowStart: "21:00", WindowEnd: "23:00"},
		Retention: forms.Retention{Last: 10, Daily: 30, Weekly: 8, Monthly: 12},
		Proposer:  pdfdoc.Signature{Name: "Rizky Pratama", Title: "IT Staff", Date: at},
		Decider:   pdfdoc.Signature{Name: "Dewi Anggraini", Title: "IT Manager", Date: at},
	}
}

func TestGolden(t *testing.T) {
	minimalHandover := forms.HandoverForm{Meta: handover(pdfdoc.English).Meta}
	failedHandover := handover(pdfdoc.Indonesian)
	failedHandover.VerificationOK, failedHandover.VerifiedFiles = false, 1870
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"request-backup-id", func(b *bytes.Buffer) error { return forms.WriteRequestForm(b, backupRequest(pdfdoc.Indonesian)) }},
		{"request-restore-rejected-en", func(b *bytes.Buffer) error { return forms.WriteRequestForm(b, rejectedRestore()) }},
		{"handover-id", func(b *bytes.Buffer) error { return forms.WriteHandoverForm(b, handover(pdfdoc.Indonesian)) }},
		{"handover-failed-id", func(b *bytes.Buffer) error { return forms.WriteHandoverForm(b, failedHandover) }},
		{"handover-minimal-en", func(b *bytes.Buffer) error { return forms.WriteHandoverForm(b, minimalHandover) }},
		{"schedule-approved-id", func(b *bytes.Buffer) error { return forms.WriteScheduleRecord(b, schedule("approved")) }},
		{"schedule-rejected-en", func(b *bytes.Buffer) error {
			r := schedule("rejected")
			r.Meta.Lang, r.Reason = pdfdoc.English, "Daily retention of 7 days is too short; keep 30."
			r.Schedule = forms.Schedule{Kind: "cron", Cron: "30 22 * * 1-5"}
			r.Retention = forms.Retention{}
			return forms.WriteScheduleRecord(b, r)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := tt.write(&a); err != nil {
				t.Fatal(err)
			}
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("same input, different bytes")
			}
			info := pdftest.ReadInfo(t, a.Bytes())
			if info.Pages != 1 || !info.IsA4() {
				t.Errorf("got %d pages of %s, want 1 A4 page", info.Pages, info.PageSize)
			}
			pdftest.Golden(t, tt.name, pdftest.Text(t, a.Bytes()))
		})
	}
}

func TestBadInput(t *testing.T) {
	noNumber := backupRequest(pdfdoc.Indonesian)
	noNumber.Meta.Number = ""
	badKind := backupRequest(pdfdoc.Indonesian)
	badKind.Kind = "archive"
	tooMany := handover(pdfdoc.Indonesian)
	tooMany.VerifiedFiles = tooMany.Files + 1
	negative := handover(pdfdoc.Indonesian)
	negative.Bytes = -1
	noCode := handover(pdfdoc.Indonesian)
	noCode.Meta.VerifyCode = " "
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"request without number", forms.WriteRequestForm(&bytes.Buffer{}, noNumber), "document number is empty"},
		{"request of unknown kind", forms.WriteRequestForm(&bytes.Buffer{}, badKind), `kind "archive"`},
		{"zero request", forms.WriteRequestForm(&bytes.Buffer{}, forms.RequestForm{}), "kind"},
		{"zero handover", forms.WriteHandoverForm(&bytes.Buffer{}, forms.HandoverForm{}), "document number is empty"},
		{"more verified than restored", forms.WriteHandoverForm(&bytes.Buffer{}, tooMany), "1874 verified files out of 1873"},
		{"negative size", forms.WriteHandoverForm(&bytes.Buffer{}, negative), "negative"},
		{"no verification code", forms.WriteHandoverForm(&bytes.Buffer{}, noCode), "verification code"},
		{"schedule without a decision", forms.WriteScheduleRecord(&bytes.Buffer{}, schedule("submitted")), `decision "submitted"`},
		{"rejection without a reason", forms.WriteScheduleRecord(&bytes.Buffer{}, schedule("rejected")), "needs its reason"},
		{"schedule of no job", forms.WriteScheduleRecord(&bytes.Buffer{}, forms.ScheduleRecord{Meta: schedule("approved").Meta, Decision: "approved"}), "job name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(tt.err, pdfdoc.ErrInvalid) || !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("got %q, want an ErrInvalid saying %q", tt.err, tt.want)
			}
		})
	}
}

// Long and hostile values wrap or shorten inside their cells: the form
// still renders on one page and keeps what identifies each value.
func TestLongValues(t *testing.T) {
	f := backupRequest(pdfdoc.Indonesian)
	f.Department = strings.Repeat("Departemen Keuangan dan Akuntansi Korporat ", 8)
	f.Requester = "Raden Ayu Siti Nurhaliza Kusumaningtyas Wulandari Prameswari Hadiningrat"
	long := "D:/Data/" + strings.Repeat("SubfolderTanpaSpasiYangSangatPanjang/", 12) + "Rekap Final.xlsx"
	f.Paths = []string{long, "E:\\Arsip\\tab\there\\bell\x07\\invalid\xff.txt"}
	f.Reason = strings.Repeat("Alasan panjang. ", 60)
	var buf bytes.Buffer
	if err := forms.WriteRequestForm(&buf, f); err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, buf.Bytes())
	for _, want := range []string{"D:/Data/SubfolderTanpaSpasi", "Rekap Final.xlsx", "Raden Ayu", "Hadiningrat", "invalid\uFFFD.txt"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if info := pdftest.ReadInfo(t, buf.Bytes()); !info.IsA4() {
		t.Errorf("page size %s", info.PageSize)
	}
}

// The request form's blocks and labels come from sop: the requester,
// checked by IT Staff, approved (or rejected) by the IT Manager; a block
// nobody filled prints lines and the SOP's title.
func TestRequestFormSignatoriesFromSOP(t *testing.T) {
	submitted := backupRequest(pdfdoc.Indonesian)
	submitted.Status, submitted.DecidedBy, submitted.DecidedAt = "submitted", "", time.Time{}
	submitted.Signatures = submitted.Signatures[:1]
	rejected := backupRequest(pdfdoc.Indonesian)
	rejected.Status, rejected.RejectReason = "rejected", "Jadwal bentrok dengan tutup buku."
	tests := []struct {
		name string
		f    forms.RequestForm
		want []string
	}{
		{"approved", backupRequest(pdfdoc.Indonesian), []string{"Diajukan oleh", "Requested by", "Diperiksa oleh", "Disetujui oleh",
			"( Siti Rahmawati )", "( Dewi Anggraini )", "Departemen Keuangan", "Jabatan : IT Staff", "Disetujui"}},
		{"submitted", submitted, []string{"Disetujui oleh", "Approved by", "Diajukan / Submitted", "( Siti Rahmawati )", "Jabatan : IT Manager"}},
		{"rejected", rejected, []string{"Diperiksa oleh Ditolak oleh Requested by Checked by Rejected by", "Ditolak / Rejected", "Jadwal bentrok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := forms.WriteRequestForm(&buf, tt.f); err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(pdftest.Text(t, buf.Bytes())), " ")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
		})
	}
}
