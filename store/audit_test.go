package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func auditWith(t *testing.T, n int) *Catalog {
	t.Helper()
	c := openTemp(t)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		_, err := c.AppendAudit(context.Background(), AuditEntry{At: at.Add(time.Duration(i) * time.Minute), Actor: "ani",
			Action: "request.submit", Object: "request#1", FromState: "draft", ToState: "submitted", Detail: "entry"})
		if err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestAuditChainDetectsTampering(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		tamper  func(t *testing.T, c *Catalog)
		wantSeq int64
		want    string
	}{
		{"untouched", func(*testing.T, *Catalog) {}, 0, ""},
		{"changed entry", func(t *testing.T, c *Catalog) {
			exec(t, c, `UPDATE audit SET to_state='approved' WHERE seq=3`)
		}, 3, "was changed"},
		{"deleted entry", func(t *testing.T, c *Catalog) {
			exec(t, c, `DELETE FROM audit WHERE seq=3`)
		}, 4, "deleted"},
		{"inserted entry with a valid-looking hash", func(t *testing.T, c *Catalog) {
			// Make room after entry 2, then insert an entry chained to entry 2.
			exec(t, c, `UPDATE audit SET seq = seq + 100 WHERE seq >= 3`)
			exec(t, c, `UPDATE audit SET seq = seq - 99 WHERE seq >= 103`)
			var prev string
			if err := c.DB().QueryRow(`SELECT hash FROM audit WHERE seq=2`).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			e := AuditEntry{Seq: 3, At: time.Date(2026, 3, 1, 9, 1, 30, 0, time.UTC), Actor: "mallory", Action: "request.approve", Object: "request#1", PrevHash: prev}
			e.Hash = chainHash(prev, e)
			exec(t, c, `INSERT INTO audit(seq,at,actor,action,object,prev_hash,hash) VALUES(?,?,?,?,?,?,?)`, e.Seq, fmtTime(e.At), e.Actor, e.Action, e.Object, e.PrevHash, e.Hash)
		}, 4, "does not follow"},
		{"removed tail", func(t *testing.T, c *Catalog) {
			exec(t, c, `DELETE FROM audit WHERE seq=5`)
		}, 4, "newest entries were removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := auditWith(t, 5)
			tt.tamper(t, c)
			_, problems, err := c.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(problems) != 0 {
					t.Fatalf("untouched log: problems %v", problems)
				}
				return
			}
			if len(problems) == 0 {
				t.Fatal("tampering not detected")
			}
			found := false
			for _, p := range problems {
				if p.Seq == tt.wantSeq && strings.Contains(p.Reason, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %+v: want one at entry %d saying %q", problems, tt.wantSeq, tt.want)
			}
		})
	}
}

func TestAuditAppendAfterVerifyKeepsChain(t *testing.T) {
	ctx := context.Background()
	c := auditWith(t, 2)
	e, err := c.AppendAudit(ctx, AuditEntry{At: time.Now(), Actor: "budi", Action: "job.approve", Object: "job#1"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Seq != 3 || e.PrevHash == genesisHash || len(e.Hash) != 64 {
		t.Errorf("appended entry %+v: want seq 3 chained to entry 2", e)
	}
	if _, problems, err := c.VerifyAudit(ctx); err != nil || len(problems) != 0 {
		t.Errorf("VerifyAudit = %v, %v; want clean", problems, err)
	}
}

func exec(t *testing.T, c *Catalog, q string, args ...any) {
	t.Helper()
	if _, err := c.queries.db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
