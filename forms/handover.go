package forms

import (
	"fmt"
	"io"
	"strings"

	"cadang/pdfdoc"
)

var handoverTitle = pdfdoc.T("Form Serah Terima Data", "Data Handover Form")

// WriteHandoverForm renders f as a PDF to w.
func WriteHandoverForm(w io.Writer, f HandoverForm) error {
	if f.Files < 0 || f.Bytes < 0 || f.VerifiedFiles < 0 {
		return fmt.Errorf("handover form %s: %w: negative file or byte count", f.Meta.Number, pdfdoc.ErrInvalid)
	}
	if f.VerifiedFiles > f.Files {
		return fmt.Errorf("handover form %s: %w: %d verified files out of %d",
			f.Meta.Number, pdfdoc.ErrInvalid, f.VerifiedFiles, f.Files)
	}
	err := pdfdoc.Render(w, f.Meta, handoverTitle, func(d *pdfdoc.Doc) error {
		handoverBody(d, f)
		return nil
	})
	if err != nil {
		return fmt.Errorf("handover form: %w", err)
	}
	return nil
}

func handoverBody(d *pdfdoc.Doc, f HandoverForm) {
	lang := d.Lang()
	day := pdfdoc.LongDate(lang, f.Meta.Date)
	d.Paragraph(pdfdoc.T(
		fmt.Sprintf("Pada hari ini, %s, telah dilakukan serah terima data hasil restore dari Departemen IT kepada pemohon, sesuai dengan Form Permintaan Restore No. %s, dengan rincian sebagai berikut:", day, dash(f.RequestNumber)),
		fmt.Sprintf("On %s, the IT Department handed the restored data over to the requester, as asked in Restore Request No. %s, as follows:", pdfdoc.LongDate(pdfdoc.English, f.Meta.Date), dash(f.RequestNumber)),
	))

	d.Section(pdfdoc.T("Data yang Diserahkan", "Data handed over"))
	d.Fields(1, []pdfdoc.Field{
		{Label: pdfdoc.T("No. permintaan", "Request No."), Value: f.RequestNumber},
		{Label: pdfdoc.T("No. laporan verifikasi", "Verification report No."), Value: f.VerificationNumber},
		{Label: pdfdoc.T("Departemen / pemohon", "Department / requester"), Value: joinNonEmpty(" / ", f.Department, f.Requester)},
		{Label: pdfdoc.T("Data", "Data"), Value: f.Data},
		{Label: pdfdoc.T("Snapshot (data per)", "Snapshot (data as of)"), Value: joinNonEmpty("  ·  ", f.SnapshotID, pdfdoc.DateTime(f.SnapshotTime))},
		{Label: pdfdoc.T("Lokasi hasil restore", "Restored to"), Value: f.Target},
		{Label: pdfdoc.T("Jumlah file / ukuran", "Files / size"), Value: fmt.Sprintf("%s %s  ·  %s", pdfdoc.Int(lang, f.Files), pdfdoc.T("file", "files").In(lang), pdfdoc.Bytes(lang, f.Bytes))},
		{Label: pdfdoc.T("File terverifikasi", "Files verified"), Value: fmt.Sprintf("%s / %s", pdfdoc.Int(lang, f.VerifiedFiles), pdfdoc.Int(lang, f.Files))},
	})
	verdict := pdfdoc.T("Sesuai — seluruh file cocok dengan snapshot", "Verified — every file matches the snapshot")
	if !f.VerificationOK {
		verdict = pdfdoc.T("Tidak sesuai — lihat laporan verifikasi", "Not verified — see the verification report")
	}
	d.Verdict(pdfdoc.T("Hasil verifikasi", "Verification result"), verdict, f.VerificationOK)

	d.Section(pdfdoc.T("Catatan", "Notes"))
	notes := strings.TrimSpace(f.Notes)
	if notes == "" {
		notes = "–"
	}
	d.Paragraph(pdfdoc.T(notes, ""))
	d.Paragraph(pdfdoc.T(
		"Dengan ditandatanganinya berita acara ini, pihak penerima menyatakan telah menerima data tersebut di atas dalam keadaan baik dan lengkap.",
		"By signing this form the receiving party confirms that it has received the data above, complete and in good order.",
	))

	sigs := []pdfdoc.Signature{
		withLabel(f.Giver, "Yang Menyerahkan / Handed over by"),
		withLabel(f.Receiver, "Yang Menerima / Received by"),
	}
	if f.Witness != (pdfdoc.Signature{}) {
		sigs = append(sigs, withLabel(f.Witness, "Mengetahui / Acknowledged by"))
	}
	d.SignatureSection(pdfdoc.T("Tanda Tangan", "Signatures"), sigs)
}

func withLabel(s pdfdoc.Signature, label string) pdfdoc.Signature {
	if strings.TrimSpace(s.Label) == "" {
		s.Label = label
	}
	return s
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
