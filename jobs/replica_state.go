package jobs

import (
	"context"
	"fmt"
	"time"

	"cadang/engine/replica"
	"cadang/engine/secrets"
	"cadang/pdfdoc"
	"cadang/reports"
	"cadang/store"
)

// recordReplica keeps a replica's state after a run's sync in the catalog
// (issue 7: "the catalog keeps each replica's last sync and lag"). A
// catalog error is logged, not fatal: the backup itself is stored.
func (s *Service) recordReplica(ctx context.Context, jobID, runID int64, st ReplicaResult) {
	rs := store.ReplicaState{JobID: jobID, Name: st.Name, URL: secrets.Redact(st.URL), RunID: runID, Status: st.Status, Error: secrets.Redact(st.Error),
		LastAttempt: st.LastAttempt, LastSync: st.LastSync}
	if st.Lag != nil {
		rs.LagKnown, rs.MissingSnapshots, rs.MissingFiles, rs.MissingBytes = true, st.Lag.Snapshots, st.Lag.Files, st.Lag.Bytes
	}
	if err := s.catalog.SaveReplicaState(ctx, rs); err != nil {
		s.log.Error("record replica state", "job", jobID, "replica", st.Name, "err", err)
	}
}

func replicaFromStore(rs store.ReplicaState) ReplicaResult {
	st := ReplicaResult{Name: rs.Name, URL: rs.URL, Status: rs.Status, Error: rs.Error, LastAttempt: rs.LastAttempt, LastSync: rs.LastSync}
	if rs.LagKnown {
		st.Lag = &ReplicaLag{Snapshots: rs.MissingSnapshots, Files: rs.MissingFiles, Bytes: rs.MissingBytes}
	}
	return st
}

// ReplicaStates is each of a job's replicas as last seen (any account):
// the dashboard's figures for one job, for `cadang job show`.
func (s *Service) ReplicaStates(ctx context.Context, as User, ref string) ([]ReplicaResult, error) {
	if _, err := s.act(ctx, as, "show the replicas of job "+ref); err != nil {
		return nil, err
	}
	j, err := s.findJob(ctx, ref)
	if err != nil {
		return nil, err
	}
	return s.replicaStates(ctx, s.jobFromStore(ctx, j)), nil
}

// replicaStates is each of a job's replicas as last seen: the catalog's
// record of the job's last sync, unless replicas.json (written by `cadang
// replica sync` too) records a later attempt; then that, without a lag.
func (s *Service) replicaStates(ctx context.Context, j Job) []ReplicaResult {
	if len(j.Replicas) == 0 {
		return nil
	}
	recorded, err := s.catalog.ReplicaStates(ctx, j.ID)
	if err != nil {
		s.log.Error("read replica states", "job", j.Name, "err", err)
	}
	reg, regErr := replica.LoadRegistry(j.Repository)
	out := make([]ReplicaResult, 0, len(j.Replicas))
	for _, name := range j.Replicas {
		st := ReplicaResult{Name: name, Status: ReplicaNotConfigured}
		rs, ok := recorded[name]
		if ok {
			st = replicaFromStore(rs)
		}
		if regErr == nil {
			if rep, gerr := reg.Get(name); gerr == nil && (st.Status == ReplicaNotConfigured || rep.LastAttempt.After(st.LastAttempt)) {
				st = registryState(replicaFromRegistry(rep))
			}
		}
		// This process's timer, else the catalog's record: a retry another
		// workstation's daemon holds.
		if at, held := s.nextReplicaRetry(j.ID, name); held {
			st.NextRetry = at
		} else {
			st.NextRetry = rs.RetryAt
		}
		out = append(out, st)
	}
	return out
}

// registryState is a replica as replicas.json records it.
func registryState(rep Replica) ReplicaResult {
	st := ReplicaResult{Name: rep.Name, URL: rep.URL, LastAttempt: rep.LastAttempt, LastSync: rep.LastSync, Status: ReplicaOK}
	switch {
	case rep.LastError != "":
		st.Status, st.Error = ReplicaFailed, rep.LastError
	case rep.LastSync.IsZero():
		st.Status = ReplicaNeverSynced
	}
	return st
}

// reportReplica is a replica's row of the execution report. Lag there is
// time: how long since the replica last had everything, zero when it does.
func reportReplica(r ReplicaResult, finished time.Time) reports.ReplicaState {
	rs := reports.ReplicaState{Name: r.Name, URL: r.URL, Status: r.Status, LastSync: r.LastSync}
	if !r.UpToDate() && !r.LastSync.IsZero() && finished.After(r.LastSync) {
		rs.Lag = finished.Sub(r.LastSync)
	}
	return rs
}

// replicaStatusText says a replica's state in a person's words, for the
// execution report: up to date, N snapshots behind, or failed (the reason
// is in the report's warnings, in full).
func replicaStatusText(lang pdfdoc.Lang, r ReplicaResult) string {
	switch {
	case r.Status == ReplicaFailed:
		text := pdfdoc.T("gagal", "failed").In(lang)
		if r.Lag != nil && r.Lag.Snapshots > 0 {
			text += ", " + behindText(lang, r.Lag.Snapshots)
		}
		return text
	case r.Status == ReplicaNotConfigured:
		return pdfdoc.T("belum dikonfigurasi", "not configured").In(lang)
	case r.Status == ReplicaNeverSynced:
		return pdfdoc.T("belum pernah disinkronkan", "never synced").In(lang)
	case r.UpToDate():
		return pdfdoc.T("mutakhir", "up to date").In(lang)
	case r.Lag != nil && r.Lag.Snapshots > 0:
		return behindText(lang, r.Lag.Snapshots)
	case r.Lag != nil:
		return fmt.Sprintf(pdfdoc.T("kurang %d file", "%d files missing").In(lang), r.Lag.Files)
	}
	return pdfdoc.T("berhasil", "ok").In(lang)
}

func behindText(lang pdfdoc.Lang, n int) string {
	return fmt.Sprintf(pdfdoc.T("tertinggal %d snapshot", "%d snapshots behind").In(lang), n)
}
