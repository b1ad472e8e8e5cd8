package pdfdoc

import "time"

// Lang selects the language of a document.
type Lang string

const (
	// Indonesian prints Indonesian text with English subtitles beneath.
	Indonesian Lang = "id"
	// English prints English only.
	English Lang = "en"
)

// Header is the controlled-document header of the governing procedure; it
// comes from settings, not code, and is the same on every document.
type Header struct {
	Company, Address string
	// Logo is a PNG; when empty a neutral default mark is drawn. It is left
	// out of a document's JSON (jobs records its SHA-256 instead).
	Logo            []byte `json:"-"`
	Segment         string
	BusinessProcess string
	SubProcess      string
	ControlledDocNo string // e.g. "SOP-IT-002"
	EffectiveDate   time.Time
	Revision        string
}

// Meta identifies one document.
type Meta struct {
	// Number is form code / year / sequence, e.g. "FRM-IT-002-01/2026/0007".
	Number   string
	Revision int
	Date     time.Time
	Lang     Lang // "" is Indonesian
	// VerifyCode is a short code printed on every page so a paper copy can be
	// matched with the document register.
	VerifyCode string
	// AuditHead is the audit chain's head ("SEQ:HASH") when the document
	// was filed: printed in the footer and kept in the PDF's keywords, so
	// every copy of the document, on paper or sent away, anchors the chain.
	AuditHead string
	Header    Header
	// Generated is also the PDF creation date, so output is deterministic.
	Generated time.Time
}

// Signature is one signature block. A zero Date prints a blank date line.
type Signature struct {
	Label string // e.g. "Disiapkan oleh / Prepared by"
	Name  string
	Title string
	Date  time.Time
}
