// Package pdfdoc draws the page frame every controlled Cadang document
// shares: the SOP's document-control header box (logo, title, Segmen /
// Proses Bisnis / Sub Proses / No. Dokumen / Tgl. Efektif / Rev.), the
// document's own number, "Halaman X dari Y / Page X of Y" and the
// verification code, on A4 portrait in greys only so it prints cleanly in
// black and white.
//
// Vocabulary: the Header describes the controlling procedure (for example
// SOP-IT-002) and is the same on every document of a company; the Meta
// describes one document (its number, date, language, verification code).
//
// Guarantees: output depends only on the input (the PDF creation date is
// Meta.Generated and the catalog is sorted), so the same input gives the
// same bytes; bad input is an error, never a panic. Text is Unicode, drawn
// with the embedded DejaVu Sans fonts. Non-guarantees: pdfdoc does not file,
// register or sign documents; callers do that.
package pdfdoc
