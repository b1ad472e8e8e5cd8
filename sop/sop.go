// Package sop names, once, the states and signatories of SOP-IT-002 that
// jobs enforces and forms and reports print: a request's states with their
// Indonesian and English labels, and the signature blocks of the request
// form (SOP 5.2: the requester, checked by IT Staff, approved by the IT
// Manager). jobs re-exports the states; forms prints the labels; the
// window asks jobs. Nothing else keeps a copy.
//
// It imports only pdfdoc (for the bilingual Text) and holds no state.
package sop

import (
	"strings"

	"cadang/pdfdoc"
)

// Request states. Every request goes draft → submitted → approved |
// rejected, and a rejected one is rescheduled by IT staff and submitted
// again. An approved backup request then runs (running → completed |
// failed); an approved restore request continues preparing → restoring →
// verifying → verified, with verifying → restoring on a mismatch and failed
// when the attempts run out. Printing the handover form moves a verified
// request to awaiting-signatures; it is handed-over only when the signed
// form is attached or the IT manager records a paper handover.
const (
	RequestDraft              = "draft"
	RequestSubmitted          = "submitted"
	RequestApproved           = "approved"
	RequestRejected           = "rejected"
	RequestRunning            = "running"
	RequestCompleted          = "completed"
	RequestPreparing          = "preparing"
	RequestRestoring          = "restoring"
	RequestVerifying          = "verifying"
	RequestVerified           = "verified"
	RequestAwaitingSignatures = "awaiting-signatures"
	RequestHandedOver         = "handed-over"
	RequestFailed             = "failed"
)

// State is one request state: its name in the catalog, its label on paper
// and on screen, and whether the request is finished in it.
type State struct {
	Name  string
	Label pdfdoc.Text
	Final bool
}

// RequestStates lists every request state in the order of the procedure.
var RequestStates = []State{
	{RequestDraft, pdfdoc.T("Draf", "Draft"), false},
	{RequestSubmitted, pdfdoc.T("Diajukan", "Submitted"), false},
	{RequestApproved, pdfdoc.T("Disetujui", "Approved"), false},
	{RequestRejected, pdfdoc.T("Ditolak", "Rejected"), false},
	{RequestRunning, pdfdoc.T("Sedang berjalan", "Running"), false},
	{RequestCompleted, pdfdoc.T("Selesai", "Completed"), true},
	{RequestPreparing, pdfdoc.T("Persiapan", "Preparing"), false},
	{RequestRestoring, pdfdoc.T("Proses restore", "Restoring"), false},
	{RequestVerifying, pdfdoc.T("Pemeriksaan hasil", "Verifying"), false},
	{RequestVerified, pdfdoc.T("Sesuai (terverifikasi)", "Verified"), false},
	{RequestAwaitingSignatures, pdfdoc.T("Menunggu tanda tangan", "Awaiting signatures"), false},
	{RequestHandedOver, pdfdoc.T("Sudah diserahterimakan", "Handed over"), true},
	{RequestFailed, pdfdoc.T("Gagal", "Failed"), true},
}

// RequestState returns the state named name, and whether it is one.
func RequestState(name string) (State, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, s := range RequestStates {
		if s.Name == name {
			return s, true
		}
	}
	return State{}, false
}

// RequestStateLabel is the state's label, or the name itself for an
// unknown state (a catalog written by a newer Cadang).
func RequestStateLabel(name string) pdfdoc.Text {
	if s, ok := RequestState(name); ok {
		return s.Label
	}
	return pdfdoc.T(name, name)
}

// Signatory is one signature block of a form: who signs it (by role in
// the procedure), its label and the title printed when the account that
// acted has none.
type Signatory struct {
	Role  string
	Label pdfdoc.Text
	Title pdfdoc.Text
}

// Roles of the request form's signatories.
const (
	SignRequester = "requester"
	SignChecker   = "checker"
	SignApprover  = "approver"
)

// RequestSignatories are the request form's blocks (SOP 5.2): the
// department that asks, IT Staff who check the request, the IT Manager
// who decides.
var RequestSignatories = []Signatory{
	{SignRequester, pdfdoc.T("Diajukan oleh", "Requested by"), pdfdoc.T("", "")},
	{SignChecker, pdfdoc.T("Diperiksa oleh", "Checked by"), pdfdoc.T("IT Staff", "IT Staff")},
	{SignApprover, pdfdoc.T("Disetujui oleh", "Approved by"), pdfdoc.T("IT Manager", "IT Manager")},
}

// ApproverLabel is the IT Manager's block label for a request in state:
// "Ditolak oleh / Rejected by" once rejected, the SOP's "Disetujui oleh /
// Approved by" otherwise.
func ApproverLabel(state string) pdfdoc.Text {
	if state == RequestRejected {
		return pdfdoc.T("Ditolak oleh", "Rejected by")
	}
	return RequestSignatories[2].Label
}
