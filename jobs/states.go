package jobs

import (
	"slices"

	"cadang/sop"
)

// Groups of request states, as lists and screens filter by them. They are
// derived from sop's one list of states, so a new state lands in a group
// here or nowhere; the window and the command line ask for these.
var (
	// RequestsAwaitingDecision wait for an IT manager.
	RequestsAwaitingDecision = []string{RequestSubmitted}
	// RequestsToCarryOut are approved and not started: only these are
	// offered as "to carry out".
	RequestsToCarryOut = []string{RequestApproved}
	// RequestsInProgress are being carried out now.
	RequestsInProgress = []string{RequestRunning, RequestPreparing, RequestRestoring, RequestVerifying}
	// RequestsToHandOver are verified restores whose data is not yet handed over.
	RequestsToHandOver = []string{RequestVerified, RequestAwaitingSignatures}
	// RequestsForStaff are approved requests IT staff still have to carry
	// out or hand over: the dashboard's "Approved requests to carry out".
	RequestsForStaff = slices.Concat(RequestsToCarryOut, RequestsToHandOver)
	// RequestsBackToStaff were rejected or drafted and wait for the requester or IT staff.
	RequestsBackToStaff = []string{RequestDraft, RequestRejected}
	// RequestsClosed are finished, one way or the other.
	RequestsClosed = finalStates(true)
	// RequestsOpen are every state not finished.
	RequestsOpen = finalStates(false)
)

func finalStates(final bool) []string {
	var out []string
	for _, s := range sop.RequestStates {
		if s.Final == final {
			out = append(out, s.Name)
		}
	}
	return out
}

// RequestFinal reports whether a request in state is finished. An unknown
// state (from a newer Cadang) counts as open: what it holds is kept.
func RequestFinal(state string) bool {
	s, ok := sop.RequestState(state)
	return ok && s.Final
}
