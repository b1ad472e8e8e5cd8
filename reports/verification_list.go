package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"cadang/pdfdoc"
)

// WriteVerificationList writes the complete file-by-file list of a
// verification as CSV (RFC 4180, UTF-8): one row per file in the order of
// the report's numbers, with both full SHA-256 hashes. Indonesian lists
// use ";" between fields, as spreadsheets set to Indonesian expect, and
// English ones ",". It is registered with the report, as its attachment.
func WriteVerificationList(w io.Writer, lang pdfdoc.Lang, files []FileCheck) error {
	cw := csv.NewWriter(w)
	header := []string{"no", "berkas", "ukuran_byte", "sha256_cadangan", "sha256_hasil_restore", "hasil", "keterangan"}
	if lang == pdfdoc.English {
		header = []string{"no", "file", "size_bytes", "sha256_backup", "sha256_restored", "result", "error"}
	} else {
		cw.Comma = ';'
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("verification list: %w", err)
	}
	for i, f := range files {
		row := []string{strconv.Itoa(i + 1), f.Path, strconv.FormatInt(f.Size, 10), f.Want, f.Got,
			checkResult(f).In(lang), ExplainError(lang, f.Err)}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("verification list: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("verification list: %w", err)
	}
	return nil
}
