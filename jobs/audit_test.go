package jobs

import "testing"

// TestVerifyAuditDetectsTampering tampers with a real procedure's audit log
// through SQL, as someone with the catalog file could.
func TestVerifyAuditDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper []string
	}{
		{"changed entry", []string{`UPDATE audit SET actor='kezia' WHERE seq=2`}},
		{"deleted entry", []string{`DELETE FROM audit WHERE seq=2`}},
		{"inserted entry", []string{
			`UPDATE audit SET seq = seq + 1000 WHERE seq >= 2`,
			`UPDATE audit SET seq = seq - 999 WHERE seq >= 1002`,
			`INSERT INTO audit(seq,at,actor,action,object,to_state,prev_hash,hash) SELECT 2, at, 'gideon', 'job.approve', object, 'approved', hash, hash FROM audit WHERE seq=1`,
		}},
		{"removed newest entry", []string{`DELETE FROM audit WHERE seq=(SELECT max(seq) FROM audit)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.approvedJob(t, "erp", Schedule{})
			rep, err := f.svc.VerifyAudit(f.ctx, f.mgr)
			// create, submit, approve, and the schedule record filed
			if err != nil || !rep.OK() || rep.Entries != 4 {
				t.Fatalf("before tampering: %+v, %v", rep, err)
			}
			for _, q := range tt.tamper {
				if _, err := f.svc.Catalog().DB().Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			rep, err = f.svc.VerifyAudit(f.ctx, f.mgr)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Errorf("tampering not detected (%d entries)", rep.Entries)
			}
		})
	}
}
