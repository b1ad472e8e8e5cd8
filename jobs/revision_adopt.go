package jobs

import (
	"context"
	"fmt"

	"cadang/store"
)

// schemaApprovalsNameRevision is the catalog schema version from which an
// approval names the revision it covers.
const schemaApprovalsNameRevision = 8

// adoptApprovals runs once, when an older catalog is upgraded: jobs and
// requests approved before approvals named a revision get the revision
// they have now, each with an audit entry that says so. Without it every
// approved job would stop at the upgrade until approved again; with it,
// what was approved under the old rules keeps running, and any change
// from now on needs a new approval. (A later clearing of the revision in
// the catalog is not adopted: this runs only during the upgrade itself.)
func (s *Service) adoptApprovals(ctx context.Context, from int) error {
	return s.catalog.Update(ctx, func(tx *store.Tx) error {
		detail := func(rev string) string {
			return fmt.Sprintf("approved before approvals named a revision (catalog schema %d); revision %s adopted at the upgrade", from, rev)
		}
		jobs, err := tx.Jobs(ctx, "")
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if j.ApprovedRevision != "" || (j.State != JobApproved && j.State != JobPaused) {
				continue
			}
			j.ApprovedRevision = revisionOf(j)
			if err := tx.UpdateJob(ctx, j); err != nil {
				return err
			}
			if err := s.auditIn(ctx, tx, "upgrade", "job.approval-adopted", jobObject(j.ID), j.State, j.State, detail(j.ApprovedRevision)); err != nil {
				return err
			}
		}
		reqs, err := tx.Requests(ctx, store.RequestFilter{States: []string{RequestApproved}})
		if err != nil {
			return err
		}
		for _, r := range reqs {
			if r.ApprovedRevision != "" {
				continue
			}
			r.ApprovedRevision = requestRevisionOf(r)
			if err := tx.UpdateRequest(ctx, r); err != nil {
				return err
			}
			if err := s.auditIn(ctx, tx, "upgrade", "request.approval-adopted", requestObject(r.ID), r.State, r.State, detail(r.ApprovedRevision)); err != nil {
				return err
			}
		}
		return nil
	})
}
