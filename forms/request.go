package forms

import (
	"fmt"
	"io"
	"strings"

	"cadang/pdfdoc"
	"cadang/sop"
)

var requestTitle = pdfdoc.T("Form Permintaan Back up / Restore", "Backup / Restore Request Form")

func stateText(lang pdfdoc.Lang, s string) string {
	return sop.RequestStateLabel(s).Inline(lang)
}

// WriteRequestForm renders f as a PDF to w.
func WriteRequestForm(w io.Writer, f RequestForm) error {
	kind := strings.ToLower(strings.TrimSpace(f.Kind))
	if kind != "backup" && kind != "restore" {
		return fmt.Errorf("request form %s: %w: kind %q is not \"backup\" or \"restore\"",
			f.Meta.Number, pdfdoc.ErrInvalid, f.Kind)
	}
	err := pdfdoc.Render(w, f.Meta, requestTitle, func(d *pdfdoc.Doc) error {
		requestBody(d, kind, f)
		return nil
	})
	if err != nil {
		return fmt.Errorf("request form: %w", err)
	}
	return nil
}

func requestBody(d *pdfdoc.Doc, kind string, f RequestForm) {
	lang := d.Lang()
	d.Section(pdfdoc.T("Data Pemohon", "Requester"))
	d.Fields(2, []pdfdoc.Field{
		{Label: pdfdoc.T("Departemen", "Department"), Value: f.Department},
		{Label: pdfdoc.T("Nama pemohon", "Requested by"), Value: f.Requester},
	})

	d.Section(pdfdoc.T("Rincian Permintaan", "Request details"))
	when := pdfdoc.T("Waktu pelaksanaan diminta", "Requested run time")
	if kind == "restore" {
		when = pdfdoc.T("Data per tanggal (titik pemulihan)", "Data as of (restore point)")
	}
	fields := []pdfdoc.Field{
		{Label: pdfdoc.T("Jenis permintaan", "Request type"), Value: kindBoxes(kind), Strong: true},
		{Label: pdfdoc.T("Data", "Data"), Value: f.Data},
		{Label: when, Value: pdfdoc.DateTime(f.RequestedAt)},
	}
	if kind == "restore" {
		fields = append(fields, pdfdoc.Field{Label: pdfdoc.T("Lokasi tujuan restore", "Restore destination"), Value: f.Target})
	}
	fields = append(fields, pdfdoc.Field{Label: pdfdoc.T("Alasan permintaan", "Reason"), Value: f.Reason})
	d.Fields(1, fields)
	if len(f.Paths) > 0 {
		rows := make([]pdfdoc.Row, len(f.Paths))
		for i, p := range f.Paths {
			rows[i] = pdfdoc.Row{Cells: []string{fmt.Sprint(i + 1), p}}
		}
		d.Table([]pdfdoc.Column{
			{Title: pdfdoc.T("No.", "No."), Width: 10, Align: "R"},
			{Title: pdfdoc.T("Lokasi data (folder, file atau database)", "Data location (folder, file or database)"), Width: 170, MaxLines: 4},
		}, rows)
	}

	d.Section(pdfdoc.T("Keputusan IT Manager", "IT Manager's decision"))
	decision := []pdfdoc.Field{
		{Label: pdfdoc.T("Status", "Status"), Value: stateText(lang, f.Status), Strong: true},
		{Label: pdfdoc.T("Diputuskan oleh", "Decided by"), Value: f.DecidedBy},
		{Label: pdfdoc.T("Tanggal keputusan", "Decided on"), Value: pdfdoc.DateTime(f.DecidedAt)},
	}
	if strings.TrimSpace(f.RejectReason) != "" || strings.EqualFold(f.Status, "rejected") {
		decision = append(decision, pdfdoc.Field{Label: pdfdoc.T("Alasan penolakan", "Reason for rejection"), Value: f.RejectReason})
	}
	d.Fields(1, decision)

	d.SignatureSection(pdfdoc.T("Pengesahan", "Signatures"), requestSignatures(lang, f))
}

// kindBoxes prints the request type as ticked boxes, as on a paper form.
func kindBoxes(kind string) string {
	box := func(on bool) string {
		if on {
			return "☒"
		}
		return "☐"
	}
	return fmt.Sprintf("%s Back up      %s Restore", box(kind == "backup"), box(kind == "restore"))
}

// requestSignatures are the blocks of sop.RequestSignatories (SOP 5.2: the
// department asks, IT Staff check, the IT Manager decides), filled from
// f.Signatures in the same order; a missing one prints lines for the pen.
func requestSignatures(lang pdfdoc.Lang, f RequestForm) []pdfdoc.Signature {
	out := make([]pdfdoc.Signature, len(sop.RequestSignatories))
	for i, sg := range sop.RequestSignatories {
		if i < len(f.Signatures) {
			out[i] = f.Signatures[i]
		}
		out[i].Label = sg.Label.Inline(lang)
		if sg.Role == sop.SignApprover {
			out[i].Label = sop.ApproverLabel(strings.ToLower(strings.TrimSpace(f.Status))).Inline(lang)
		}
		if strings.TrimSpace(out[i].Title) == "" {
			out[i].Title = sg.Title.In(lang)
		}
	}
	return out
}
