package jobs

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"cadang/store"
)

// DefaultDocumentKeyFile is where a workspace keeps the key its
// verification codes are derived with, relative to the workspace, when
// Options.DocumentKeyFile does not name another file. It is never in the
// catalog: whoever can write catalog.db (or a copy of it, or the team's
// catalog server) cannot mint a code that verifies.
const DefaultDocumentKeyFile = "keys/documents.key"

// DocumentKeyEnv names the environment variable the window and the command
// line read the document key's file from, when it is kept outside the
// workspace.
const DocumentKeyEnv = "CADANG_DOCUMENT_KEY"

// ErrDocumentKeyMissing says the workspace has documents sealed with a key
// that is not where it should be: restore the key file from its backup
// rather than letting Cadang make a new one, which would fail every code
// already printed.
var ErrDocumentKeyMissing = errors.New("the document key is missing")

// documentKey reads the workspace's document key, creating it on first
// use, when no document has yet been sealed with one.
func (s *Service) documentKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.docKey != nil {
		return s.docKey, nil
	}
	b, err := os.ReadFile(s.keyFile)
	switch {
	case err == nil:
		key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) < 32 {
			return nil, fmt.Errorf("document key %s: not 64 hex digits", s.keyFile)
		}
		if err := s.bindTeamKey(ctx, key); err != nil {
			return nil, err
		}
		s.docKey = key
		return key, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("read document key: %w", err)
	}
	sealed, err := s.catalog.DocumentsSealed(ctx)
	if err != nil {
		return nil, err
	}
	if sealed > 0 {
		return nil, fmt.Errorf("%w: %s (%d registered documents were sealed with it): restore it from the workspace's backup",
			ErrDocumentKeyMissing, s.keyFile, sealed)
	}
	if id, err := s.catalog.Setting(ctx, keyDocumentKeyID, ""); err != nil {
		return nil, err
	} else if id != "" {
		return nil, fmt.Errorf("%w: %s: the team's shared catalog uses the key %s; copy keys/documents.key from a workstation of the team (mode 0600)",
			ErrDocumentKeyMissing, s.keyFile, id)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make document key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(s.keyFile), 0o700); err != nil {
		return nil, fmt.Errorf("make document key: %w", err)
	}
	if err := writeFileAtomic(s.keyFile, []byte(hex.EncodeToString(key)+"\n")); err != nil {
		return nil, fmt.Errorf("make document key: %w", err)
	}
	if err := os.Chmod(s.keyFile, 0o600); err != nil {
		return nil, fmt.Errorf("make document key: %w", err)
	}
	if err := s.bindTeamKey(ctx, key); err != nil {
		return nil, errors.Join(err, os.Remove(s.keyFile)) // another workstation made the team's key first
	}
	s.docKey = key
	return key, nil
}

// keyDocumentKeyID is the setting that names, on a shared catalog, the
// team's document key (a fingerprint, not the key).
const keyDocumentKeyID = "documents.key-id"

// documentKeyID is a key's fingerprint: it identifies the key and tells
// nothing of it.
func documentKeyID(key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("cadang document key id v1"))
	return hex.EncodeToString(mac.Sum(nil)[:8])
}

// bindTeamKey makes sure every workstation of a shared catalog seals with
// one key: the first key used is recorded (by its fingerprint), and a
// workstation with another key is refused before it seals anything that
// the others could not verify. On SQLite there is one workstation.
func (s *Service) bindTeamKey(ctx context.Context, key []byte) error {
	if !s.catalog.Shared() {
		return nil
	}
	id := documentKeyID(key)
	return s.catalog.Update(ctx, func(tx *store.Tx) error {
		cur, err := tx.Setting(ctx, keyDocumentKeyID, "")
		switch {
		case err != nil:
			return err
		case cur == "":
			return tx.SetSetting(ctx, keyDocumentKeyID, id)
		case cur != id:
			return fmt.Errorf("document key %s (%s) is not the team's (%s): copy keys/documents.key from a workstation of the team, or point %s at it",
				s.keyFile, id, cur, DocumentKeyEnv)
		}
		return nil
	})
}

// codeAlphabet is Crockford's base32: no I, L, O or U, so a code read
// from paper is typed without guessing.
var codeAlphabet = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// documentCode derives the verification code printed on a document:
// HMAC-SHA256 under the document key of its type, number, revision and the
// SHA-256 of its content, the first 80 bits in Crockford base32, in four
// groups of four ("7KQ2-9XHD-M3TA-0C5R").
func documentCode(key []byte, docType, number string, revision int, contentSHA256 string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("cadang document code v1\n" + docType + "\n" + number + "\n" + strconv.Itoa(revision) + "\n" + contentSHA256 + "\n"))
	c := codeAlphabet.EncodeToString(mac.Sum(nil)[:10])
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
}

// documentSeal binds a register entry to its file's bytes: HMAC-SHA256
// under the document key of its number, revision and file SHA-256. A file
// replaced together with its register row still fails without the key.
func documentSeal(key []byte, number string, revision int, fileSHA256 string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("cadang document seal v1\n" + number + "\n" + strconv.Itoa(revision) + "\n" + fileSHA256 + "\n"))
	return hex.EncodeToString(mac.Sum(nil))
}

// NormalizeCode reads a verification code as a person types it: any case,
// with or without dashes and spaces, O for 0 and I or L for 1.
func NormalizeCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case r == '-' || r == ' ' || r == '\t':
			continue
		}
		b.WriteRune(r)
	}
	c := b.String()
	if len(c) != 16 {
		return c // a legacy code (8 hex digits) or a typo: looked up as it is
	}
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
}

// legacyCode reads the 8-hex-digit codes of documents filed before codes
// were derived ("K7Q2-9XHD" printed, stored the same way).
func legacyCode(code string) string {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	if len(c) != 8 {
		return ""
	}
	return c[:4] + "-" + c[4:]
}

// checkSealed checks a register entry against its files and the key: the
// file's SHA-256, the seal over it, the content's SHA-256 and the code
// derived from it. It returns what does not hold, or nil.
func (s *Service) checkSealed(ctx context.Context, d store.Document, fileSum string) []string {
	var problems []string
	if fileSum != d.SHA256 {
		problems = append(problems, fmt.Sprintf("the file's SHA-256 is %s, the register says %s: it was changed after filing", fileSum, d.SHA256))
	}
	if d.Seal == "" && d.ContentSHA256 == "" {
		return problems // filed before codes were derived: the SHA-256 is all there is
	}
	key, err := s.documentKey(ctx)
	if err != nil {
		return append(problems, err.Error())
	}
	if !hmac.Equal([]byte(documentSeal(key, d.Number, d.Revision, d.SHA256)), []byte(d.Seal)) {
		problems = append(problems, "the register entry's seal does not match its SHA-256: the entry was changed outside Cadang")
	}
	content := s.contentPath(d)
	sum, err := fileSHA256(content)
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("its content record %s: %v", filepath.Base(content), err))
	case sum != d.ContentSHA256:
		problems = append(problems, fmt.Sprintf("its content record %s has SHA-256 %s, the register says %s", filepath.Base(content), sum, d.ContentSHA256))
	}
	if want := documentCode(key, d.Type, d.Number, d.Revision, d.ContentSHA256); want != d.VerifyCode {
		problems = append(problems, "its verification code is not the one derived from its content and number: the entry was changed outside Cadang")
	}
	return problems
}
