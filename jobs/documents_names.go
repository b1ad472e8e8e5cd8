package jobs

import (
	"context"
	"strings"
	"time"

	"cadang/pdfdoc"
	"cadang/reports"
	"cadang/store"
)

// Who is named on a document. Every name and title comes from the account
// that acted; the configured signatories (sign.*) fill only a block that no
// account filled, and nobody is named twice on one approval row.

// person is the signature block of an account: its display name and the
// title of its role, dated when given.
func (s *Service) person(ctx context.Context, name string, at time.Time) pdfdoc.Signature {
	if name == "" || name == SchedulerActor {
		return pdfdoc.Signature{}
	}
	u, err := s.catalog.UserByName(ctx, name)
	if err != nil {
		return pdfdoc.Signature{}
	}
	return pdfdoc.Signature{Name: displayName(u), Title: titleOf(u), Date: at}
}

// personByID is person for an account ID (0: nobody).
func (s *Service) personByID(ctx context.Context, id int64, at time.Time) pdfdoc.Signature {
	if id == 0 {
		return pdfdoc.Signature{}
	}
	u, err := s.catalog.UserByID(ctx, id)
	if err != nil {
		return pdfdoc.Signature{}
	}
	return pdfdoc.Signature{Name: displayName(u), Title: titleOf(u), Date: at}
}

// signatories builds a report's Disiapkan / Diperiksa / Disetujui row:
// prepared by the account that acted (preparedBy, dated at filing),
// approved by the IT manager who approved what the report is about
// (approverID: the job's or the request's decider, dated by hand), and
// checked by nobody Cadang knows of. Configured names fill only empty
// blocks, and a person already named leaves a later block blank.
func (s *Service) signatories(ctx context.Context, set map[string]string, preparedBy string, approverID int64) reports.Signatories {
	row := reports.Signatories{
		Prepared: s.person(ctx, preparedBy, s.now()),
		Approved: s.personByID(ctx, approverID, time.Time{}),
	}
	row.Approved.Date = time.Time{} // the manager dates the report when signing it
	fill := func(b *pdfdoc.Signature, nameKey, titleKey string) {
		if b.Name == "" && set[nameKey] != "" {
			b.Name, b.Title = set[nameKey], set[titleKey]
		}
	}
	fill(&row.Prepared, KeyPreparedName, KeyPreparedTitle)
	fill(&row.Checked, KeyCheckedName, KeyCheckedTitle)
	fill(&row.Approved, KeyApprovedName, KeyApprovedTitle)
	seen := map[string]bool{}
	for _, b := range []*pdfdoc.Signature{&row.Prepared, &row.Checked, &row.Approved} {
		key := strings.ToLower(strings.TrimSpace(b.Name))
		if key == "" {
			continue
		}
		if seen[key] {
			*b = pdfdoc.Signature{} // three different people: the pen names another
			continue
		}
		seen[key] = true
	}
	return row
}

// requestSignatures names the request form's people (sop.RequestSignatories):
// the requester, the IT staff who rescheduled it (the only check Cadang
// records; otherwise the pen), and the IT manager who decided.
func (s *Service) requestSignatures(ctx context.Context, r store.Request) []pdfdoc.Signature {
	requester := s.personByID(ctx, r.RequesterID, r.CreatedAt)
	if u, err := s.catalog.UserByID(ctx, r.RequesterID); err == nil && u.Role == RoleUser {
		requester.Title = departmentTitle(firstNonEmpty(r.Department, u.Department))
	}
	var checker pdfdoc.Signature
	if r.ReschedBy != 0 && r.ReschedBy != r.RequesterID {
		checker = s.personByID(ctx, r.ReschedBy, time.Time{})
	}
	return []pdfdoc.Signature{requester, checker, s.personByID(ctx, r.DecidedBy, r.DecidedAt)}
}
