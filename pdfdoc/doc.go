// Package pdfdoc draws the page frame every controlled Cadang document
// shares: the SOP's document-control header box (logo, company, title with
// its English subtitle, Segmen / Proses Bisnis / Sub Proses / No. Dokumen /
// Tgl. Efektif / Rev.), the document's own number, revision and date,
// "Halaman X dari Y / Page X of Y", and the verification code beside a QR
// code holding the number, revision and code (QRPayload), on A4
// portrait in greys only so it prints cleanly in black and white. On top of
// the frame it offers the blocks forms/ and reports/ are built from:
// numbered sections, labelled fields, paragraphs, a verdict box, tables that
// break across pages, and signature blocks.
//
// Vocabulary: the Header describes the controlling procedure (for example
// SOP-IT-002) and is the same on every document of a company; the Meta
// describes one document (its number, date, language, verification code).
// A Text is a phrase in Indonesian with its English translation.
//
// Guarantees: output depends only on the input (the PDF creation date is
// Meta.Generated and the catalog is sorted), so the same input gives the
// same bytes; bad input is an error wrapping ErrInvalid, never a panic.
// Text is Unicode, drawn with the embedded DejaVu Sans fonts; characters
// outside the Basic Multilingual Plane (emoji) print as U+FFFD, control
// characters as spaces. Nothing is drawn past the page margins: long values
// wrap, and past a bound (a table cell's MaxLines, 36 lines for a field)
// they end with "…" and the end of the text, which for a path is its file
// name. Times are printed in their own location: pass local times.
//
// Non-guarantees: pdfdoc does not file, register or sign documents, and
// does not shape right-to-left scripts; callers do the filing.
package pdfdoc
