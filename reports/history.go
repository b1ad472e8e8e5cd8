package reports

import (
	"fmt"
	"io"
	"sort"
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
	if err := r.Signatories.validate(doc, r.Meta.Number); err != nil {
		return err
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
		hs := historyStatus(run.Status)
		counts[hs]++
		if hs != "verified" && hs != "missed" { // restores add nothing, missed nights did not run
			added += run.BytesAdded
		}
		if hs != "missed" {
			worked += run.Duration
		}
	}
	d.Section(pdfdoc.T("Ringkasan", "Summary"))
	fields := []pdfdoc.Field{
		{Label: pdfdoc.T("Periode", "Period"), Value: pdfdoc.Date(r.From) + " – " + pdfdoc.Date(r.To), Strong: true},
		{Label: pdfdoc.T("Jumlah pelaksanaan", "Runs"), Value: pdfdoc.Int(lang, int64(len(r.Runs)))},
	}
	// Every outcome that occurred, and the four backup outcomes always: the
	// counts printed add up to the runs.
	for i, h := range historyStatuses {
		n := counts[h.name]
		if i >= 4 && n == 0 {
			continue
		}
		fields = append(fields, pdfdoc.Field{Label: h.text, Value: pdfdoc.Int(lang, n), Strong: n > 0 && h.name != "success" && h.name != "verified"})
	}
	fields = append(fields,
		pdfdoc.Field{Label: pdfdoc.T("Data ditambahkan", "Bytes added"), Value: pdfdoc.Bytes(lang, added)},
		pdfdoc.Field{Label: pdfdoc.T("Total durasi", "Total run time"), Value: pdfdoc.Duration(lang, worked)})
	d.Fields(2, fields)

	if jobs := perJob(r.Runs); len(jobs) > 1 {
		d.Section(pdfdoc.T("Ringkasan per Pekerjaan", "By job"))
		d.Table(jobColumns, jobRows(lang, jobs))
	}

	d.Section(pdfdoc.T("Daftar Pelaksanaan", "Runs"))
	rows := make([]pdfdoc.Row, len(r.Runs))
	for i, run := range r.Runs {
		hs := historyStatus(run.Status)
		ok := hs == "success" || hs == "verified"
		took, files, added := pdfdoc.Duration(lang, run.Duration), pdfdoc.Int(lang, run.Files), pdfdoc.Bytes(lang, run.BytesAdded)
		switch hs {
		case "missed": // it did not run: it took no time and read nothing
			took, files, added = "–", "–", "–"
		case "verified": // a restore adds nothing to the repository
			added = "–"
		}
		rows[i] = pdfdoc.Row{
			Cells: []string{fmt.Sprint(i + 1), run.Job, pdfdoc.DateTime(run.Started), took,
				statusText(lang, run.Status), files, added, pdfdoc.Int(lang, int64(run.Warnings))},
			Strong: !ok,
		}
	}
	table(d, historyColumns, rows)

	d.SignatureSection(pdfdoc.T("Pengesahan", "Signatures"), r.Signatories.blocks(d.Lang()))
	procedureSection(d, r.Procedure)
}

// procedureSection prints the governing SOP's document history and
// approval, as the SOP prints them (§9 Riwayat Dokumen, §10 Pengesahan).
func procedureSection(d *pdfdoc.Doc, p Procedure) {
	if len(p.History) == 0 && p.Prepared.Name == "" && p.Checked.Name == "" && p.Approved.Name == "" {
		return
	}
	lang := d.Lang()
	var tables []pdfdoc.Table
	if len(p.History) > 0 {
		rows := make([]pdfdoc.Row, len(p.History))
		for i, h := range p.History {
			rows[i] = pdfdoc.Row{Cells: []string{h.Revision, h.Description, pdfdoc.Date(h.Effective)}}
		}
		tables = append(tables, pdfdoc.Table{Cols: []pdfdoc.Column{
			{Title: pdfdoc.T("Revisi No.", "Revision"), Width: 22},
			{Title: pdfdoc.T("Riwayat dokumen: uraian perubahan", "Document history: change"), Width: 123, MaxLines: 3},
			{Title: pdfdoc.T("Tanggal Efektif", "Effective"), Width: 35},
		}, Rows: rows})
	}
	approval := []struct {
		label pdfdoc.Text
		who   pdfdoc.Signature
	}{
		{pdfdoc.T("Disiapkan Oleh", "Prepared by"), p.Prepared},
		{pdfdoc.T("Diperiksa Oleh", "Checked by"), p.Checked},
		{pdfdoc.T("Disetujui Oleh", "Approved by"), p.Approved},
	}
	rows := make([]pdfdoc.Row, len(approval))
	for i, a := range approval {
		rows[i] = pdfdoc.Row{Cells: []string{a.label.Inline(lang), a.who.Name, a.who.Title, pdfdoc.Date(a.who.Date)}}
	}
	tables = append(tables, pdfdoc.Table{Cols: []pdfdoc.Column{
		{Title: pdfdoc.T("Pengesahan prosedur", "Procedure approval"), Width: 45},
		{Title: pdfdoc.T("Nama", "Name"), Width: 55, MaxLines: 2},
		{Title: pdfdoc.T("Jabatan", "Title"), Width: 45, MaxLines: 2},
		{Title: pdfdoc.T("Tgl. Pengesahan", "Approved on"), Width: 35},
	}, Rows: rows})
	// The SOP's control page is read as one block: never a table on a
	// page of its own without the heading.
	d.TableSection(pdfdoc.T("Prosedur yang Berlaku: "+p.DocNo, "Governing procedure: "+p.DocNo), tables...)
}

var historyColumns = []pdfdoc.Column{
	{Title: pdfdoc.T("No.", "No."), Width: 8, Align: "R"},
	{Title: pdfdoc.T("Pekerjaan", "Job"), Width: 31, MaxLines: 2},
	{Title: pdfdoc.T("Mulai", "Started"), Width: 29},
	{Title: pdfdoc.T("Durasi", "Duration"), Width: 22, Align: "R"},
	{Title: pdfdoc.T("Status", "Status"), Width: 27, MaxLines: 2},
	{Title: pdfdoc.T("File", "Files"), Width: 16, Align: "R"},
	{Title: pdfdoc.T("Data ditambahkan", "Bytes added"), Width: 27, Align: "R"},
	{Title: pdfdoc.T("Peringatan", "Warnings"), Width: 20, Align: "R"},
}

// jobTotals counts one job's runs by outcome; others are restores and
// runs still going, so that a row adds up to its runs.
type jobTotals struct {
	job                                        string
	runs, ok, warnings, failed, missed, others int64
	added                                      int64
}

// perJob totals the runs of each job, in job-name order so that the same
// runs always give the same table.
func perJob(runs []RunRow) []jobTotals {
	byName := map[string]*jobTotals{}
	for _, run := range runs {
		t := byName[run.Job]
		if t == nil {
			t = &jobTotals{job: run.Job}
			byName[run.Job] = t
		}
		t.runs++
		t.added += run.BytesAdded
		switch historyStatus(run.Status) {
		case "success":
			t.ok++
		case "warnings":
			t.warnings++
		case "failed":
			t.failed++
		case "missed":
			t.missed++
		default:
			t.others++
		}
	}
	out := make([]jobTotals, 0, len(byName))
	for _, t := range byName {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].job < out[j].job })
	return out
}

var jobColumns = []pdfdoc.Column{
	{Title: pdfdoc.T("Pekerjaan", "Job"), Width: 44, MaxLines: 2},
	{Title: pdfdoc.T("Jumlah", "Runs"), Width: 15, Align: "R"},
	{Title: pdfdoc.T("Berhasil", "Success"), Width: 17, Align: "R"},
	{Title: pdfdoc.T("Peringatan", "Warnings"), Width: 18, Align: "R"},
	{Title: pdfdoc.T("Gagal", "Failed"), Width: 15, Align: "R"},
	{Title: pdfdoc.T("Terlewat", "Missed"), Width: 17, Align: "R"},
	{Title: pdfdoc.T("Restore / lain", "Restores / other"), Width: 21, Align: "R"},
	{Title: pdfdoc.T("Data ditambahkan", "Bytes added"), Width: 32, Align: "R"},
}

func jobRows(lang pdfdoc.Lang, jobs []jobTotals) []pdfdoc.Row {
	rows := make([]pdfdoc.Row, len(jobs))
	for i, j := range jobs {
		n := func(v int64) string { return pdfdoc.Int(lang, v) }
		rows[i] = pdfdoc.Row{
			Cells:  []string{j.job, n(j.runs), n(j.ok), n(j.warnings), n(j.failed), n(j.missed), n(j.others), pdfdoc.Bytes(lang, j.added)},
			Strong: j.failed+j.missed > 0,
		}
	}
	return rows
}
