// Package forms renders the controlled forms of the backup-and-restore
// procedure (SOP-IT-002) as PDF: the request form (Form Permintaan Back up /
// Restore, SOP 5.2), the schedule record (Jadwal Back up, SOP 5.3a–c) and
// the handover form (Form Serah Terima Data, SOP 5.4e). The request form's
// states, labels and signature blocks come from package sop, the one
// definition jobs enforces.
//
// The Write functions are pure: they read nothing but their argument, touch
// no catalog or file, and give the same bytes for the same input. Bad input
// (for example an empty document number) is an error, never a panic.
package forms
