package engine

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"github.com/zeebo/blake3"
)

// ID is the 32-byte name of a chunk, tree, pack or repository file.
type ID [32]byte

// String is the lower-case hex form used in file names.
func (id ID) String() string { return fmt.Sprintf("%x", id[:]) }

// parseID decodes a 64-digit hex ID.
func parseID(s string) (ID, error) {
	if len(s) != 64 {
		return ID{}, fmt.Errorf("invalid ID %q: want 64 hex digits", s)
	}
	id, ok := hexID(s)
	if !ok {
		return id, fmt.Errorf("invalid ID %q: not hex", s)
	}
	return id, nil
}

// hexID parses 64 hex digits, from a string or, without converting it
// (an allocation for each of a tree's chunk IDs), from bytes.
func hexID[T ~string | ~[]byte](s T) (ID, bool) {
	var id ID
	if len(s) != 64 {
		return id, false
	}
	for i := 0; i < 32; i++ {
		hi, ok1 := unhex(s[2*i])
		lo, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return id, false
		}
		id[i] = hi<<4 | lo
	}
	return id, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// fileID names a repository file by the BLAKE3-256 of its stored bytes, so a
// reader can check any file against its name.
func fileID(data []byte) ID { return blake3.Sum256(data) }

// errDamaged marks data that failed its integrity check.
var errDamaged = errors.New("data is damaged (checksum or authentication failed)")

const (
	gcmNonceSize = 12
	gcmTagSize   = 16
	keySize      = 32
)

// crypter seals and opens repository objects. With no key it is the
// unencrypted mode: content IDs are plain BLAKE3 and sealing is the identity
// (integrity then comes from file names and chunk IDs).
type crypter struct {
	aead    cipher.AEAD // nil when unencrypted
	idKey   []byte      // keyed BLAKE3 key for chunk IDs; nil when unencrypted
	hashers sync.Pool   // *blake3.Hasher keyed with idKey
}

// masterKey is what a key file protects.
type masterKey struct {
	Encrypt []byte `json:"encrypt"` // AES-256 key
	ID      []byte `json:"id"`      // BLAKE3 key for content IDs
	// Config is the hex BLAKE3-256 of the repository config's JSON line
	// (its second line): sealed with the master key, it authenticates the
	// plaintext config. Empty in key files written before it existed.
	Config string `json:"config,omitempty"`
}

func newMasterKey() (masterKey, error) {
	k := masterKey{Encrypt: make([]byte, keySize), ID: make([]byte, keySize)}
	if _, err := rand.Read(k.Encrypt); err != nil {
		return k, err
	}
	_, err := rand.Read(k.ID)
	return k, err
}

func newCrypter(k *masterKey) (*crypter, error) {
	if k == nil {
		return &crypter{}, nil
	}
	if len(k.Encrypt) != keySize || len(k.ID) != keySize {
		return nil, fmt.Errorf("master key has wrong length")
	}
	aead, err := newGCM(k.Encrypt)
	if err != nil {
		return nil, err
	}
	return &crypter{aead: aead, idKey: k.ID}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (c *crypter) encrypted() bool { return c.aead != nil }

// contentID is the ID of a chunk or tree: keyed BLAKE3 when encrypted, so
// IDs reveal nothing about content to someone without the key.
func (c *crypter) contentID(data []byte) ID {
	if c.idKey == nil {
		return blake3.Sum256(data)
	}
	h, _ := c.hashers.Get().(*blake3.Hasher)
	if h == nil {
		h, _ = blake3.NewKeyed(c.idKey) // key length checked in newCrypter
	}
	h.Reset() // back to the keyed initial state
	_, _ = h.Write(data)
	var id ID
	h.Sum(id[:0])
	c.hashers.Put(h) // a keyed hasher costs ~10 KiB: reuse them
	return id
}

// sealOverhead is how many bytes seal adds.
func (c *crypter) sealOverhead() int {
	if c.aead == nil {
		return 0
	}
	return gcmNonceSize + gcmTagSize
}

// seal appends the stored form of plain to dst: nonce || AES-256-GCM(plain)
// when encrypted, plain itself otherwise.
func (c *crypter) seal(dst, plain []byte) ([]byte, error) {
	if c.aead == nil {
		return append(dst, plain...), nil
	}
	start := len(dst)
	dst = append(dst, make([]byte, gcmNonceSize)...)
	if _, err := rand.Read(dst[start:]); err != nil {
		return nil, fmt.Errorf("random nonce: %w", err)
	}
	return c.aead.Seal(dst, dst[start:start+gcmNonceSize], plain, nil), nil
}

// openInPlace reverses seal, writing the plaintext over stored (which is
// lost): big index files are not held twice.
func (c *crypter) openInPlace(stored []byte) ([]byte, error) {
	if c.aead == nil {
		return stored, nil
	}
	if len(stored) < gcmNonceSize+gcmTagSize {
		return nil, fmt.Errorf("%w: too short", errDamaged)
	}
	ct := stored[gcmNonceSize:]
	out, err := c.aead.Open(ct[:0], stored[:gcmNonceSize], ct, nil)
	if err != nil {
		return nil, errDamaged
	}
	return out, nil
}

// open reverses seal, appending the plaintext to dst.
func (c *crypter) open(dst, stored []byte) ([]byte, error) {
	if c.aead == nil {
		return append(dst, stored...), nil
	}
	if len(stored) < gcmNonceSize+gcmTagSize {
		return nil, fmt.Errorf("%w: too short", errDamaged)
	}
	out, err := c.aead.Open(dst, stored[:gcmNonceSize], stored[gcmNonceSize:], nil)
	if err != nil {
		return nil, errDamaged
	}
	return out, nil
}
