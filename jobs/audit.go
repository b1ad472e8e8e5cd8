package jobs

import (
	"context"
	"fmt"

	"cadang/engine/secrets"
	"cadang/store"
)

// AuditEntry is one line of the audit log (who, when, what, from which state to which).
type AuditEntry = store.AuditEntry

// AuditProblem is one break found in the audit chain.
type AuditProblem = store.AuditProblem

// audit appends an entry that records no change of state (a refusal, a
// failed login); a failure to audit is a failure of the action, because an
// unlogged action breaks the SOP.
func (s *Service) audit(ctx context.Context, actor, action, object, from, to, detail string) error {
	return s.catalog.Update(ctx, func(tx *store.Tx) error {
		return s.auditIn(ctx, tx, actor, action, object, from, to, detail)
	})
}

// auditIn appends an entry inside tx: the change it records and the entry
// commit together or not at all.
func (s *Service) auditIn(ctx context.Context, tx *store.Tx, actor, action, object, from, to, detail string) error {
	_, err := tx.AppendAudit(ctx, store.AuditEntry{At: s.now(), Actor: actor, Action: action,
		Object: object, FromState: from, ToState: to, Detail: secrets.Redact(detail)})
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, object, err)
	}
	return nil
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter = store.AuditFilter

// Audit lists audit entries, oldest first (managers and administrators,
// and IT staff who file documents).
func (s *Service) Audit(ctx context.Context, as User, f AuditFilter) ([]AuditEntry, error) {
	if _, err := s.act(ctx, as, "read the audit log", capabilityRoles[CapReadAudit]...); err != nil {
		return nil, err
	}
	return s.catalog.Audit(ctx, f)
}

// AuditReport is the result of checking the audit chain: the chain
// itself, and every anchor of it found outside the catalog.
type AuditReport struct {
	Entries  int            `json:"entries"`
	Problems []AuditProblem `json:"problems,omitempty"`
	// Anchors are the heads of the chain recorded elsewhere (snapshots in
	// the repositories and their offsite replicas, filed PDFs) that were
	// checked against it.
	Anchors []AnchorCheck `json:"anchors"`
	// Unreachable names the places that could not be read (an offline
	// replica, a missing file): their anchors were not checked.
	Unreachable []string `json:"unreachable,omitempty"`
}

// OK reports an unbroken chain that agrees with every anchor checked.
func (r AuditReport) OK() bool {
	if len(r.Problems) > 0 {
		return false
	}
	for _, a := range r.Anchors {
		if !a.OK {
			return false
		}
	}
	return true
}

// VerifyAudit checks the whole hash chain for changed, inserted and
// deleted entries, and then the chain against every anchor it can reach:
// a consistent rewrite of the catalog's chain passes the first check but
// not the second.
func (s *Service) VerifyAudit(ctx context.Context, as User) (AuditReport, error) {
	if _, err := s.act(ctx, as, "verify the audit log", capabilityRoles[CapReadAudit]...); err != nil {
		return AuditReport{}, err
	}
	n, problems, err := s.catalog.VerifyAudit(ctx)
	if err != nil {
		return AuditReport{}, err
	}
	rep := AuditReport{Entries: n, Problems: problems, Anchors: []AnchorCheck{}}
	if err := s.checkAnchors(ctx, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}
