package reports

import (
	"fmt"
	"io"
	"strings"

	"cadang/pdfdoc"
)

var executionTitle = pdfdoc.T("Laporan Pelaksanaan Back up", "Backup Execution Report")

// WriteExecutionReport renders r as a PDF to w.
func WriteExecutionReport(w io.Writer, r ExecutionReport) error {
	status, ok := runStatus(r.Status)
	if !ok {
		return invalid("execution report", r.Meta.Number, "status %q is not success, warnings, failed or missed", r.Status)
	}
	if strings.TrimSpace(r.JobName) == "" {
		return invalid("execution report", r.Meta.Number, "job name is empty")
	}
	if err := r.Signatories.validate("execution report", r.Meta.Number); err != nil {
		return err
	}
	err := pdfdoc.Render(w, r.Meta, executionTitle, func(d *pdfdoc.Doc) error {
		executionBody(d, r, status)
		return nil
	})
	if err != nil {
		return fmt.Errorf("execution report: %w", err)
	}
	return nil
}

func executionBody(d *pdfdoc.Doc, r ExecutionReport, status pdfdoc.Text) {
	lang := d.Lang()
	d.Section(pdfdoc.T("Pekerjaan Back up", "Backup job"))
	d.Fields(1, []pdfdoc.Field{
		{Label: pdfdoc.T("Nama pekerjaan", "Job"), Value: r.JobName, Strong: true},
		{Label: pdfdoc.T("No. permintaan", "Request No."), Value: r.RequestNumber},
		{Label: pdfdoc.T("Sumber data", "Sources"), Value: strings.Join(r.Sources, "\n")},
		{Label: pdfdoc.T("Repositori", "Repository"), Value: r.Repository},
	})
	d.Fields(2, []pdfdoc.Field{
		{Label: pdfdoc.T("Jadwal", "Scheduled"), Value: pdfdoc.DateTime(r.Scheduled)},
		{Label: pdfdoc.T("Mulai", "Started"), Value: pdfdoc.DateTime(r.Started)},
		{Label: pdfdoc.T("Selesai", "Finished"), Value: pdfdoc.DateTime(r.Finished)},
		{Label: pdfdoc.T("Durasi", "Duration"), Value: duration(lang, r)},
	})
	d.Verdict(pdfdoc.T("Status pelaksanaan", "Run status"), status, strings.EqualFold(r.Status, "success"))

	d.Section(pdfdoc.T("Hasil", "Result"))
	d.Fields(2, []pdfdoc.Field{
		{Label: pdfdoc.T("ID snapshot", "Snapshot ID"), Value: r.SnapshotID, Strong: true},
		{Label: pdfdoc.T("Total data", "Total size"), Value: pdfdoc.Bytes(lang, r.TotalBytes)},
		{Label: pdfdoc.T("File baru", "New files"), Value: pdfdoc.Int(lang, r.FilesNew)},
		{Label: pdfdoc.T("Data dibaca", "Bytes read"), Value: pdfdoc.Bytes(lang, r.BytesRead)},
		{Label: pdfdoc.T("File berubah", "Changed files"), Value: pdfdoc.Int(lang, r.FilesChanged)},
		{Label: pdfdoc.T("Data ditambahkan", "Bytes added"), Value: pdfdoc.Bytes(lang, r.BytesAdded)},
		{Label: pdfdoc.T("File tidak berubah", "Unmodified files"), Value: pdfdoc.Int(lang, r.FilesUnmodified)},
		{Label: pdfdoc.T("Peringatan", "Warnings"), Value: pdfdoc.Int(lang, int64(len(r.Warnings)))},
	})
	var notes []pdfdoc.Field
	switch {
	case strings.EqualFold(r.Status, "missed"):
		// Why it did not run, in the document's words, not the catalog's.
		notes = append(notes, pdfdoc.Field{Label: pdfdoc.T("Keterangan", "Note"), Strong: true, Value: pdfdoc.T(
			"Cadang tidak berjalan selama jendela waktu pekerjaan ini (komputer mati atau Cadang ditutup), sehingga back up tidak dilaksanakan. Jalankan susulan dari layar Aktivitas atau dengan `cadang job catch-up`.",
			"Cadang was not running during the job's window (the computer was off or Cadang closed), so the backup did not run. Catch it up from the Activity screen or with `cadang job catch-up`.").In(lang)})
	case strings.TrimSpace(r.Error) != "":
		notes = append(notes, pdfdoc.Field{Label: pdfdoc.T("Kesalahan", "Error"), Value: ExplainError(lang, r.Error), Strong: true})
	}
	if !r.CatchUpOf.IsZero() {
		// The report number on a line of its own: a number is never wrapped.
		id := fmt.Sprintf("Menyusul jadwal %s yang terlewat.", pdfdoc.DateTime(r.CatchUpOf))
		en := fmt.Sprintf("Makes up for the missed run of %s.", pdfdoc.DateTime(r.CatchUpOf))
		if r.CatchUpReport != "" {
			id += "\nLaporan jadwal itu: " + r.CatchUpReport
			en += "\nThat run's report: " + r.CatchUpReport
		}
		notes = append(notes, pdfdoc.Field{Label: pdfdoc.T("Susulan", "Catch-up"), Value: pdfdoc.T(id, en).In(lang)})
	}
	if r.Overrun {
		notes = append(notes, pdfdoc.Field{Label: pdfdoc.T("Melewati jendela waktu", "Overran its window"), Strong: true, Value: pdfdoc.T(
			fmt.Sprintf("Pelaksanaan selesai setelah jendela waktunya ditutup (pukul %s).", r.WindowEnd),
			fmt.Sprintf("The run finished after its window closed (%s).", r.WindowEnd)).In(lang)})
	}
	if len(notes) > 0 {
		d.Fields(1, notes)
	}

	d.Section(pdfdoc.T("Replikasi Offsite / Cloud", "Offsite / cloud replicas"))
	d.Table(replicaColumns, replicaRows(lang, r.Replicas))

	d.Section(pdfdoc.T("File yang Tidak Dapat Dibaca", "Files that could not be read"))
	table(d, warningColumns, warningRows(lang, r.Warnings))

	if len(r.Removed) > 0 {
		d.Section(pdfdoc.T("Snapshot yang Dihapus oleh Kebijakan Retensi", "Snapshots removed by the retention policy"))
		table(d, removedColumns, removedRows(r.Removed))
	}

	d.SignatureSection(pdfdoc.T("Pengesahan", "Signatures"), r.Signatories.blocks(d.Lang()))
}

func duration(lang pdfdoc.Lang, r ExecutionReport) string {
	if r.Started.IsZero() || r.Finished.IsZero() {
		return ""
	}
	return pdfdoc.Duration(lang, r.Finished.Sub(r.Started))
}

var replicaColumns = []pdfdoc.Column{
	{Title: pdfdoc.T("Replika", "Replica"), Width: 30, MaxLines: 2},
	{Title: pdfdoc.T("Tujuan", "Destination"), Width: 70, MaxLines: 2},
	{Title: pdfdoc.T("Status", "Status"), Width: 25, MaxLines: 3},
	{Title: pdfdoc.T("Sinkron terakhir", "Last sync"), Width: 30},
	{Title: pdfdoc.T("Selisih", "Lag"), Width: 20, Align: "R"},
}

func replicaRows(lang pdfdoc.Lang, reps []ReplicaState) []pdfdoc.Row {
	rows := make([]pdfdoc.Row, len(reps))
	for i, r := range reps {
		rows[i] = pdfdoc.Row{Cells: []string{r.Name, r.URL, r.Status, pdfdoc.DateTime(r.LastSync), pdfdoc.Duration(lang, r.Lag)}}
	}
	return rows
}

var removedColumns = []pdfdoc.Column{
	{Title: pdfdoc.T("No.", "No."), Width: 10, Align: "R"},
	{Title: pdfdoc.T("ID snapshot", "Snapshot ID"), Width: 110},
	{Title: pdfdoc.T("Waktu backup", "Backup time"), Width: 60},
}

func removedRows(rs []RemovedSnapshot) []pdfdoc.Row {
	rows := make([]pdfdoc.Row, len(rs))
	for i, r := range rs {
		rows[i] = pdfdoc.Row{Cells: []string{fmt.Sprint(i + 1), r.ID, pdfdoc.DateTime(r.Time)}}
	}
	return rows
}

var warningColumns = []pdfdoc.Column{
	{Title: pdfdoc.T("No.", "No."), Width: 10, Align: "R"},
	{Title: pdfdoc.T("File", "File"), Width: 100, MaxLines: 3},
	{Title: pdfdoc.T("Keterangan", "Error"), Width: 70, MaxLines: 3},
}

func warningRows(lang pdfdoc.Lang, ws []Warning) []pdfdoc.Row {
	rows := make([]pdfdoc.Row, len(ws))
	for i, w := range ws {
		path := w.Path
		if name, ok := strings.CutPrefix(path, "replica "); ok && lang != pdfdoc.English {
			path = "replika " + name // jobs names a replica's warning "replica NAME"
		}
		rows[i] = pdfdoc.Row{Cells: []string{fmt.Sprint(i + 1), path, ExplainError(lang, w.Err)}}
	}
	return rows
}
