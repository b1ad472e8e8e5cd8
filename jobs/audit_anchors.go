package jobs

// Anchors of the audit chain. Someone who can write catalog.db can rewrite
// the whole chain with the published algorithm, and the chain alone would
// still verify. So its head ("SEQ:HASH") is also written where that person
// cannot reach: into every snapshot a job makes (and so into every offsite
// replica, which the workstation cannot rewrite), and into every filed PDF
// (printed in its footer and kept in its keywords, so a copy on paper or
// sent by mail anchors it too). VerifyAudit reads every anchor it can and
// checks the chain's entry at that sequence number still has that hash.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"cadang/pdfdoc"
	"cadang/store"
)

// Anchor kinds, from the hardest to rewrite to the easiest.
const (
	AnchorReplica    = "replica"    // a snapshot in an offsite or cloud replica
	AnchorRepository = "repository" // a snapshot in a job's own repository
	AnchorDocument   = "document"   // a filed PDF in the workspace
)

// AnchorCheck is one recorded head of the chain and what the chain says now.
type AnchorCheck struct {
	Kind    string `json:"kind"`
	Where   string `json:"where"` // which snapshot or document, and where it is
	Seq     int64  `json:"seq"`
	OK      bool   `json:"ok"`
	Problem string `json:"problem,omitempty"`
}

// parseHead reads "SEQ:HASH".
func parseHead(v string) (int64, string, bool) {
	seqText, hash, ok := strings.Cut(v, ":")
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if !ok || err != nil || seq < 0 || len(hash) != 64 {
		return 0, "", false
	}
	return seq, hash, true
}

// checkAnchors adds every anchor it can read to rep, checked.
func (s *Service) checkAnchors(ctx context.Context, rep *AuditReport) error {
	jobs, err := s.catalog.Jobs(ctx, "")
	if err != nil {
		return err
	}
	seen := map[string]bool{} // one snapshot file, one check, however many jobs share its repository
	for _, j := range jobs {
		copies := append([]string{""}, j.Replicas...)
		for _, replica := range copies {
			kind, place := AnchorRepository, j.Repository
			if replica != "" {
				kind, place = AnchorReplica, "replica "+replica
			}
			repo, err := s.openJobRepository(ctx, j, replica)
			if err != nil {
				rep.Unreachable = append(rep.Unreachable, fmt.Sprintf("job %s, %s: %v", j.Name, place, err))
				continue
			}
			all, err := repo.Snapshots(ctx)
			repo.Close() //nolint:errcheck // read only
			if err != nil {
				rep.Unreachable = append(rep.Unreachable, fmt.Sprintf("job %s, %s: %v", j.Name, place, err))
				continue
			}
			for _, sn := range ownSnapshots(all, j.Name) {
				seq, hash, ok := parseHead(sn.Labels[LabelAuditHead])
				key := kind + place + sn.ID
				if !ok || seen[key] {
					continue
				}
				seen[key] = true
				where := fmt.Sprintf("snapshot %s (%s) of job %s in %s", sn.ShortID(), sn.Time.Local().Format("2006-01-02 15:04"), j.Name, place)
				rep.Anchors = append(rep.Anchors, s.checkAnchor(ctx, kind, where, seq, hash))
			}
		}
	}
	docs, err := s.catalog.Documents(ctx, store.DocumentFilter{})
	if err != nil {
		return err
	}
	for _, d := range docs {
		if !strings.HasSuffix(d.Path, ".pdf") {
			continue // attachments (CSV lists, signed scans) carry no anchor
		}
		b, err := os.ReadFile(s.documentFromStore(ctx, d).Path)
		if err != nil {
			rep.Unreachable = append(rep.Unreachable, fmt.Sprintf("document %s revision %d: %v", d.Number, d.Revision, err))
			continue
		}
		if seq, hash, ok := pdfdoc.AuditHeadOf(b); ok {
			where := fmt.Sprintf("document %s revision %d", d.Number, d.Revision)
			rep.Anchors = append(rep.Anchors, s.checkAnchor(ctx, AnchorDocument, where, seq, hash))
		}
	}
	return nil
}

// lastRebuild is the newest workspace rebuild entry, if the log has one.
func (s *Service) lastRebuild(ctx context.Context) *store.AuditEntry {
	es, err := s.catalog.Audit(ctx, store.AuditFilter{Object: "workspace"})
	if err != nil {
		return nil
	}
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Action == "workspace.rebuild" {
			return &es[i]
		}
	}
	return nil
}

// checkAnchor compares one anchor with the chain.
func (s *Service) checkAnchor(ctx context.Context, kind, where string, seq int64, hash string) AnchorCheck {
	a := AnchorCheck{Kind: kind, Where: where, Seq: seq}
	if seq == 0 {
		a.OK = hash == strings.Repeat("0", 64)
		if !a.OK {
			a.Problem = "it records an empty log with an unknown hash"
		}
		return a
	}
	e, err := s.catalog.AuditEntryAt(ctx, seq)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.Problem = fmt.Sprintf("it records entry %d, which the log no longer has: entries were removed", seq)
		if rebuilt := s.lastRebuild(ctx); rebuilt != nil {
			// Not excused: anyone who can remove a tail can also append an
			// entry. It says what a person should look at first.
			a.Problem += fmt.Sprintf(" (the workspace was rebuilt at entry %d on %s: entries made after its last records backup were lost with the old workstation; compare the anchor's time with that backup's)",
				rebuilt.Seq, rebuilt.At.Local().Format("2006-01-02 15:04"))
		}
	case err != nil:
		a.Problem = err.Error()
	case e.Hash != hash:
		a.Problem = fmt.Sprintf("it records entry %d with hash %s, the log has %s: the log was rewritten up to there", seq, hash[:12], e.Hash[:min(12, len(e.Hash))])
	default:
		a.OK = true
	}
	return a
}
