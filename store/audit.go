package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AuditEntry is one line of the append-only audit log. Each entry's Hash is
// SHA-256(PrevHash + canonical entry), so changing, inserting or deleting an
// entry breaks the chain from there on.
type AuditEntry struct {
	Seq       int64     `json:"seq"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action"`
	Object    string    `json:"object"` // e.g. "request#7", "job#2"
	FromState string    `json:"from_state,omitempty"`
	ToState   string    `json:"to_state,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

// genesisHash is the PrevHash of the first entry.
var genesisHash = strings.Repeat("0", 64)

// auditHeadKey keeps "seq:hash" of the newest entry in settings, so a
// removed tail (the newest entries deleted) is detected too.
const auditHeadKey = "audit.head"

// canonical is the exact byte string hashed for e: JSON of the fields in a
// fixed order, times in UTC with nanoseconds. Never change it for released
// entries: old chains would stop verifying.
func (e AuditEntry) canonical() []byte {
	b, err := json.Marshal([]any{e.Seq, fmtTime(e.At), e.Actor, e.Action, e.Object, e.FromState, e.ToState, e.Detail})
	if err != nil {
		// Strings and integers always marshal; keep the chain computable regardless.
		return []byte(fmt.Sprint(e.Seq, e.At, e.Actor, e.Action, e.Object, e.FromState, e.ToState, e.Detail))
	}
	return b
}

// chainHash computes an entry's hash from the previous hash.
func chainHash(prev string, e AuditEntry) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(e.canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// appendAudit adds e after the newest entry (Seq, PrevHash and Hash are
// computed) and moves the recorded head. It must run inside a transaction
// (Tx.AppendAudit, Catalog.AppendAudit): reading the newest entry and
// writing the next one are one step.
func (q queries) appendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if q.dialect == Postgres {
		// Update's write lock already orders every step; this lock keeps the
		// chain's one order even for an append that would ever run outside it.
		if _, err := q.db.ExecContext(ctx, `LOCK TABLE audit IN EXCLUSIVE MODE`); err != nil {
			return AuditEntry{}, fmt.Errorf("append audit entry: %w", err)
		}
	}
	var last sql.NullInt64
	var prev sql.NullString
	err := q.db.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return AuditEntry{}, fmt.Errorf("append audit entry: %w", err)
	}
	e.Seq, e.PrevHash = last.Int64+1, genesisHash
	if prev.Valid {
		e.PrevHash = prev.String
	}
	e.Hash = chainHash(e.PrevHash, e)
	_, err = q.db.ExecContext(ctx, `INSERT INTO audit (seq, at, actor, action, object, from_state, to_state, detail, prev_hash, hash)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, e.Seq, fmtTime(e.At), e.Actor, e.Action, e.Object, e.FromState, e.ToState, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return AuditEntry{}, fmt.Errorf("append audit entry: %w", err)
	}
	head := strconv.FormatInt(e.Seq, 10) + ":" + e.Hash
	if _, err := q.db.ExecContext(ctx, `INSERT INTO settings(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value`, auditHeadKey, head); err != nil {
		return AuditEntry{}, fmt.Errorf("append audit entry: %w", err)
	}
	if q.notify != "" {
		// Heard by every process listening (Catalog.Changes) when, and only
		// if, the step commits.
		if _, err := q.db.ExecContext(ctx, `SELECT pg_notify(?, ?)`, notifyChannel, q.notify); err != nil {
			return AuditEntry{}, fmt.Errorf("append audit entry: announce it: %w", err)
		}
	}
	return e, nil
}

// AuditSince lists up to limit entries after sequence number after, in log
// order: what the processes using the catalog poll to learn what the
// others did.
func (q queries) AuditSince(ctx context.Context, after int64, limit int) ([]AuditEntry, error) {
	rows, err := q.db.QueryContext(ctx, fmt.Sprintf(`SELECT seq, at, actor, action, object, from_state, to_state, detail, prev_hash, hash
		FROM audit WHERE seq > ? ORDER BY seq LIMIT %d`, limit), after)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return scanAuditEntries(rows)
}

// scanAuditEntries reads the rows of a SELECT of the audit table's columns
// in their order (seq, at, actor, … hash), and closes them.
func scanAuditEntries(rows *sql.Rows) ([]AuditEntry, error) {
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Object, &e.FromState, &e.ToState, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// ownSeqs remembers the audit entries appended through one Catalog, so
// that a process telling its subscribers what the others did skips its own
// (it told them already). At most ownKept are remembered.
type ownSeqs struct {
	mu   sync.Mutex
	seqs map[int64]bool
}

const ownKept = 10000

func (o *ownSeqs) add(seqs []int64) {
	if len(seqs) == 0 {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seqs == nil || len(o.seqs) > ownKept {
		o.seqs = map[int64]bool{}
	}
	for _, s := range seqs {
		o.seqs[s] = true
	}
}

func (o *ownSeqs) remove(seqs []int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range seqs {
		delete(o.seqs, s)
	}
}

// AppendedHere reports whether audit entry seq was appended through this
// Catalog, and forgets it (each is asked about once, in order).
func (c *Catalog) AppendedHere(seq int64) bool {
	c.own.mu.Lock()
	defer c.own.mu.Unlock()
	here := c.own.seqs[seq]
	delete(c.own.seqs, seq)
	return here
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Object string
	Actor  string
	Limit  int // newest Limit entries
}

// Audit lists entries matching f in log order.
func (q queries) Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	sqlText := `SELECT seq, at, actor, action, object, from_state, to_state, detail, prev_hash, hash FROM audit
		WHERE (?='' OR object=?) AND (?='' OR actor=?) ORDER BY seq DESC`
	args := []any{f.Object, f.Object, f.Actor, f.Actor}
	if f.Limit > 0 {
		sqlText += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := q.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	out, err := scanAuditEntries(rows)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// AuditProblem is one break in the audit chain.
type AuditProblem struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// VerifyAudit walks the whole chain and reports every break: a changed
// entry (its hash no longer matches its content), an inserted or deleted
// entry (a sequence gap, or a PrevHash that does not match the entry
// before), and a removed tail (the head kept in settings is missing). It
// returns the number of entries checked.
func (q queries) VerifyAudit(ctx context.Context) (int, []AuditProblem, error) {
	entries, err := q.Audit(ctx, AuditFilter{})
	if err != nil {
		return 0, nil, err
	}
	var problems []AuditProblem
	prev, prevSeq := genesisHash, int64(0)
	for _, e := range entries {
		if e.Seq != prevSeq+1 {
			problems = append(problems, AuditProblem{e.Seq, fmt.Sprintf("sequence jumps from %d to %d: entries were deleted or inserted", prevSeq, e.Seq)})
		}
		if e.PrevHash != prev {
			problems = append(problems, AuditProblem{e.Seq, "does not follow the entry before it: an entry was deleted, inserted or changed"})
		}
		if chainHash(e.PrevHash, e) != e.Hash {
			problems = append(problems, AuditProblem{e.Seq, "content does not match its hash: the entry was changed"})
		}
		prev, prevSeq = e.Hash, e.Seq
	}
	head, err := q.Setting(ctx, auditHeadKey, "")
	if err != nil {
		return len(entries), problems, err
	}
	if want := strconv.FormatInt(prevSeq, 10) + ":" + prev; head != "" && head != want || head == "" && len(entries) > 0 {
		problems = append(problems, AuditProblem{prevSeq, fmt.Sprintf("the log ends at entry %d but the recorded head is %q: newest entries were removed or the head was altered", prevSeq, head)})
	}
	return len(entries), problems, nil
}

// AuditHead returns the newest entry's sequence number and hash (0 and the
// genesis hash for an empty log): what a backup writes into its snapshot
// and a filed PDF prints, as anchors of the chain outside the catalog.
func (q queries) AuditHead(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := q.db.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, genesisHash, nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("read the audit log's head: %w", err)
	}
	return seq, hash, nil
}

// AuditEntryAt returns the entry with sequence number seq.
func (q queries) AuditEntryAt(ctx context.Context, seq int64) (AuditEntry, error) {
	var e AuditEntry
	var at string
	err := q.db.QueryRowContext(ctx, `SELECT seq, at, actor, action, object, from_state, to_state, detail, prev_hash, hash
		FROM audit WHERE seq=?`, seq).Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Object, &e.FromState, &e.ToState, &e.Detail, &e.PrevHash, &e.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return AuditEntry{}, fmt.Errorf("audit entry %d: %w", seq, ErrNotFound)
	}
	if err != nil {
		return AuditEntry{}, fmt.Errorf("read audit entry %d: %w", seq, err)
	}
	e.At = parseTime(at)
	return e, nil
}
