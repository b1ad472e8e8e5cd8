package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Forget removes snapshots not kept by policy (nothing is removed with
// dryRun, nor when the policy is all zero). Snapshots are grouped by host
// and set of paths; within a group, newest first, a snapshot is kept when a
// rule still has count left and the snapshot opens a new bucket for it
// (restic's semantics): keep-last counts every snapshot, keep-daily one
// per calendar day (local time), weekly per ISO week, monthly, yearly.
func (r *Repository) Forget(ctx context.Context, policy RetentionPolicy, dryRun bool) (*ForgetResult, error) {
	return r.ForgetWith(ctx, ForgetOptions{Policy: policy, DryRun: dryRun})
}

// ForgetWith is Forget with a tag that scopes it to one job's snapshots
// and snapshots held whatever the policy. Snapshots without the tag are
// neither kept nor removed: they are not in the result.
func (r *Repository) ForgetWith(ctx context.Context, opt ForgetOptions) (*ForgetResult, error) {
	r.opMu.Lock()
	defer r.opMu.Unlock()
	lk, err := r.lock(ctx, "forget", true)
	if err != nil {
		return nil, err
	}
	defer lk.release()
	snaps, err := r.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	var res *ForgetResult
	if opt.Tag != "" {
		var mine []Snapshot
		for _, s := range snaps {
			if slices.Contains(s.Tags, opt.Tag) {
				s.Host, s.Paths = "", nil // one group: the job's, whatever it backed up from where
				mine = append(mine, s)
			}
		}
		res = applyPolicy(mine, opt.Policy)
		restore := map[string]Snapshot{}
		for _, s := range snaps {
			restore[s.ID] = s
		}
		for i := range res.Keep {
			res.Keep[i] = restore[res.Keep[i].ID]
		}
		for i := range res.Remove {
			res.Remove[i] = restore[res.Remove[i].ID]
		}
	} else {
		res = applyPolicy(snaps, opt.Policy)
	}
	if len(opt.Hold) > 0 {
		var removed []Snapshot
		for _, s := range res.Remove {
			if slices.Contains(opt.Hold, s.ID) {
				res.Keep = append(res.Keep, s)
			} else {
				removed = append(removed, s)
			}
		}
		res.Remove = append([]Snapshot{}, removed...)
		sort.SliceStable(res.Keep, func(i, j int) bool { return res.Keep[i].Time.After(res.Keep[j].Time) })
	}
	if opt.DryRun {
		return res, nil
	}
	for _, s := range res.Remove {
		if err := r.be.Remove(ctx, SnapshotsDir+s.ID); err != nil && !isNotFound(err) {
			return res, fmt.Errorf("forget snapshot %s: %w", s.ShortID(), err)
		}
	}
	return res, nil
}

func (p RetentionPolicy) empty() bool {
	return p.KeepLast == 0 && p.KeepDaily == 0 && p.KeepWeekly == 0 && p.KeepMonthly == 0 && p.KeepYearly == 0
}

// applyPolicy decides keep/remove for every snapshot; both lists newest first.
func applyPolicy(snaps []Snapshot, p RetentionPolicy) *ForgetResult {
	res := &ForgetResult{Keep: []Snapshot{}, Remove: []Snapshot{}}
	groups := map[string][]Snapshot{}
	var keys []string
	for _, s := range snaps {
		k := s.Host + "\x00" + sortedJoin(s.Paths)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], s)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := groups[k]
		sort.SliceStable(g, func(i, j int) bool { return g[i].Time.After(g[j].Time) })
		if p.empty() {
			res.Keep = append(res.Keep, g...)
			continue
		}
		rules := []struct {
			count  int
			bucket func(time.Time) string
			last   string
		}{
			{count: p.KeepLast, bucket: nil},
			{count: p.KeepDaily, bucket: func(t time.Time) string { return t.Format("2006-01-02") }},
			{count: p.KeepWeekly, bucket: func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-%02d", y, w) }},
			{count: p.KeepMonthly, bucket: func(t time.Time) string { return t.Format("2006-01") }},
			{count: p.KeepYearly, bucket: func(t time.Time) string { return t.Format("2006") }},
		}
		for i, s := range g {
			keep := false
			t := s.Time.Local()
			for j := range rules {
				ru := &rules[j]
				if ru.count <= 0 {
					continue
				}
				val := fmt.Sprint(i) // keep-last: every snapshot is its own bucket
				if ru.bucket != nil {
					val = ru.bucket(t)
				}
				if val != ru.last {
					keep, ru.last = true, val
					ru.count--
				}
			}
			if keep {
				res.Keep = append(res.Keep, s)
			} else {
				res.Remove = append(res.Remove, s)
			}
		}
	}
	return res
}
