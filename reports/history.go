package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"cadang/pdfdoc"
)

var historyTitle = pdfdoc.T("Laporan Riwayat Back up", "Backup History Report")

// WriteHistoryReport renders r as a PDF to w.
func WriteHistoryReport(w io.Writer, r HistoryReport) error {
	const doc = "history report"
	switch {
	case r.From.IsZero() || r.To.IsZero():
		return invalid(doc, r.Meta.Number, "the date range needs both a start and an end")
	case r.To.Before(r.From):
		return invalid(doc, r.Meta.Number, "the range ends (%s) before it starts (%s)", pdfdoc.Date(r.To), pdfdoc.Date(r.From))
	}
	err := pdfdoc.Render(w, r.Meta, historyTitle, func(d *pdfdoc.Doc) error {
		historyBody(d, r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", doc, err)
	}
	return nil
}

func historyBody(d *pdfdoc.Doc, r HistoryReport) {
	lang := d.Lang()
	counts := map[string]int64{}
	var added int64
	var worked time.Duration
	for _, run := range r.Runs {
		counts[strings.ToLower(run.Status)]++
		added += run.BytesAdded
		worked += run.Duration
	}
	d.Section(pdfdoc.T("Ringkasan", "Summary"))
	d.Fields(2, []pdfdoc.Field{
		{Label: pdfdoc.T("Periode", "Period"), Value: pdfdoc.Date(r.From) + " – " + pdfdoc.Date(r.To), Strong: true},
		{Label: pdfdoc.T("Jumlah pelaksanaan", "Runs"), Value: pdfdoc.Int(lang, int64(len(r.Runs)))},
		{Label: pdfdoc.T("Berhasil", "Success"), Value: pdfdoc.Int(lang, counts["success"])},
		{Label: pdfdoc.T("Dengan peringatan", "With warnings"), Value: pdfdoc.Int(lang, counts["warnings"]), Strong: counts["warnings"] > 0},
		{Label: pdfdoc.T("Gagal", "Failed"), Value: pdfdoc.Int(lang, counts["failed"]), Strong: counts["failed"] > 0},
		{Label: pdfdoc.T("Terlewat", "Missed"), Value: pdfdoc.Int(lang, counts["missed"]), Strong: counts["missed"] > 0},
		{Label: pdfdoc.T("Data ditambahkan", "Bytes added"), Value: pdfdoc.Bytes(lang, added)},
		{Label: pdfdoc.T("Total durasi", "Total run time"), Value: pdfdoc.Duration(worked)},
	})

	d.Section(pdfdoc.T("Daftar Pelaksanaan", "Runs"))
	rows := make([]pdfdoc.Row, len(r.Runs))
	for i, run := range r.Runs {
		ok := strings.EqualFold(run.Status, "success")
		rows[i] = pdfdoc.Row{
			Cells: []string{fmt.Sprint(i + 1), run.Job, pdfdoc.DateTime(run.Started), pdfdoc.Duration(run.Duration),
				statusText(lang, run.Status), pdfdoc.Int(lang, run.Files), pdfdoc.Bytes(lang, run.BytesAdded), pdfdoc.Int(lang, int64(run.Warnings))},
			Strong: !ok,
		}
	}
	d.Table(historyColumns, rows)

	d.SignatureSection(pdfdoc.T("Pengesahan", "Signatures"), signaturesOrDefault(r.Signatures))
}

var historyColumns = []pdfdoc.Column{
	{Title: pdfdoc.T("No.", "No."), Width: 8, Align: "R"},
	{Title: pdfdoc.T("Pekerjaan", "Job"), Width: 40, MaxLines: 2},
	{Title: pdfdoc.T("Mulai", "Started"), Width: 28},
	{Title: pdfdoc.T("Durasi", "Duration"), Width: 16, Align: "R"},
	{Title: pdfdoc.T("Status", "Status"), Width: 28, MaxLines: 2},
	{Title: pdfdoc.T("File", "Files"), Width: 16, Align: "R"},
	{Title: pdfdoc.T("Data ditambahkan", "Bytes added"), Width: 21, Align: "R"},
	{Title: pdfdoc.T("Peringatan", "Warnings"), Width: 17, Align: "R"},
}
