// Package reports renders the controlled reports of the backup-and-restore
// procedure as PDF: the execution report of one backup run (Laporan
// Pelaksanaan Back up, SOP 5.3e), the restore verification report with its
// file-by-file table (Laporan Verifikasi Restore, SOP 5.4c–d) and the history
// of runs over a date range.
//
// A table lists at most 2,000 rows and then says how many it left out, so
// that a huge restore gives a document of tens of pages, not thousands; the
// failed files of a verification are listed first, in a table of their own.
//
// The Write functions are pure: they read nothing but their argument, touch
// no catalog or file, and give the same bytes for the same input. Bad input
// is an error, never a panic.
package reports
