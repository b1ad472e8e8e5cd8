// Package reports renders the controlled reports of the backup-and-restore
// procedure as PDF: the execution report of one backup run (Laporan
// Pelaksanaan Back up, SOP 5.3e), the restore verification report (Laporan
// Verifikasi Restore, SOP 5.4c–d) with its file-by-file list as CSV, and the
// history of runs over a date range.
//
// A verification report stays readable at any size: it prints the totals,
// every attempt, at most 60 failed files and a per-folder table of at most
// 80 rows (SummarizeChecks), under ten pages for 50,000 files, and names its
// complete list (WriteVerificationList), a registered attachment, by number
// and SHA-256. Other tables list at most 2,000 rows and say how many they
// left out. In Indonesian documents, system and engine messages are
// explained in Indonesian (ExplainError).
//
// The Write functions are pure: they read nothing but their argument, touch
// no catalog or file, and give the same bytes for the same input. Bad input
// is an error, never a panic.
package reports
