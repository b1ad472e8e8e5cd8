package jobs

import (
	"slices"
	"testing"

	"cadang/sop"
)

// Every request state is in exactly one of the groups the screens show,
// so a new state cannot silently drop out of every list.
func TestRequestStateGroupsCoverEveryStateOnce(t *testing.T) {
	groups := [][]string{RequestsAwaitingDecision, RequestsToCarryOut, RequestsInProgress, RequestsToHandOver, RequestsBackToStaff,
		{RequestCompleted, RequestHandedOver, RequestFailed}}
	for _, s := range sop.RequestStates {
		n := 0
		for _, g := range groups {
			if slices.Contains(g, s.Name) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("state %s is in %d groups, want 1", s.Name, n)
		}
		if RequestFinal(s.Name) != slices.Contains(RequestsClosed, s.Name) || RequestFinal(s.Name) == slices.Contains(RequestsOpen, s.Name) {
			t.Errorf("state %s: final=%v, closed/open lists disagree", s.Name, RequestFinal(s.Name))
		}
	}
}
