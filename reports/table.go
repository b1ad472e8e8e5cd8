package reports

import (
	"fmt"

	"cadang/pdfdoc"
)

// maxRows bounds one table. A restore of a hundred thousand files would
// otherwise give a PDF of thousands of pages that nobody files or reads;
// the rows past the bound are counted in a note under the table, and the
// complete list stays in the catalog.
const maxRows = 2000

// table draws rows, at most maxRows of them, and says how many were left out.
func table(d *pdfdoc.Doc, cols []pdfdoc.Column, rows []pdfdoc.Row) {
	omitted := 0
	if len(rows) > maxRows {
		rows, omitted = rows[:maxRows], len(rows)-maxRows
	}
	d.Table(cols, rows)
	if omitted > 0 {
		n, limit := pdfdoc.Int(d.Lang(), int64(omitted)), pdfdoc.Int(d.Lang(), maxRows)
		en, limitEN := pdfdoc.Int(pdfdoc.English, int64(omitted)), pdfdoc.Int(pdfdoc.English, maxRows)
		d.Paragraph(pdfdoc.T(
			fmt.Sprintf("… dan %s baris lagi tidak dicantumkan (paling banyak %s baris per tabel); daftar lengkap tersimpan di katalog Cadang.", n, limit),
			fmt.Sprintf("… and %s more rows not listed (at most %s rows per table); the complete list is kept in the Cadang catalog.", en, limitEN)))
	}
}
