package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/zeebo/blake3"

	"cadang/engine/backend"
	"cadang/engine/internal/scrypt"
)

// formatVersion is the repository format this code writes (and the
// newest it reads). Version 2 differs from 1 only in its index files,
// which are binary (docs/FORMAT.md §8); a repository keeps the version it
// was made with, so an older Cadang still reads a version-1 repository
// that this one wrote to, and refuses a version-2 one.
const formatVersion = 2

// binaryIndexVersion is the first format version with binary index files.
const binaryIndexVersion = 2

// repoConfig is the plaintext header of a repository.
type repoConfig struct {
	Version   int          `json:"version"`
	ID        string       `json:"id"`
	Encrypted bool         `json:"encrypted"`
	Chunker   chunkerParam `json:"chunker"`
	PackSize  int          `json:"pack_size"` // target size of pack files in bytes
	Created   time.Time    `json:"created"`

	// sum is the config's second line, the hex BLAKE3-256 of its JSON
	// line: what an encrypted repository's key file authenticates.
	sum string
}

type chunkerParam struct {
	Min int `json:"min"`
	Avg int `json:"avg"`
	Max int `json:"max"`
}

// defaultChunker is what a new repository records (an existing one keeps
// its own). Edits in place in big files (databases, disk images, mailboxes)
// re-store the whole chunk around each change, so halving the chunks from
// 512 KiB to 256 KiB stored 0.71× the bytes after the benchmark's mutation
// and backed it up in 0.85× the time, for an index of twice the entries on
// big files (~200 MiB of memory per TB of them, ~100 before); docs/DECISIONS.md.
var defaultChunker = chunkerParam{Min: 128 << 10, Avg: 256 << 10, Max: 2 << 20}

const defaultPackSize = 16 << 20

// encodeConfig renders the config file: one JSON line, then the hex
// BLAKE3-256 of that line (without its newline) on a second line.
func encodeConfig(c repoConfig) ([]byte, error) {
	line, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	sum := blake3.Sum256(line)
	out := append(line, '\n')
	out = append(out, hex.EncodeToString(sum[:])...)
	return append(out, '\n'), nil
}

// decodeConfig parses and checks a config file.
func decodeConfig(data []byte) (repoConfig, error) {
	var c repoConfig
	line, rest, ok := bytes.Cut(data, []byte{'\n'})
	if !ok {
		return c, fmt.Errorf("config: %w", ErrNotRepository)
	}
	sum := blake3.Sum256(line)
	if string(bytes.TrimSpace(rest)) != hex.EncodeToString(sum[:]) {
		return c, fmt.Errorf("config: %w", errDamaged)
	}
	if err := json.Unmarshal(line, &c); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	c.sum = hex.EncodeToString(sum[:])
	if c.Version > formatVersion {
		return c, fmt.Errorf("config version %d: %w", c.Version, ErrNewerFormat)
	}
	if c.Version < 1 {
		return c, fmt.Errorf("config version %d: %w", c.Version, ErrNotRepository)
	}
	if err := c.Chunker.validate(); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	if c.PackSize < 1<<20 || c.PackSize > 1<<30 {
		return c, fmt.Errorf("config: pack size %d out of range", c.PackSize)
	}
	return c, nil
}

func (p chunkerParam) validate() error {
	if p.Min < 64 || p.Avg <= p.Min || p.Max <= p.Avg || p.Max > 64<<20 || p.Avg&(p.Avg-1) != 0 {
		return fmt.Errorf("invalid chunker parameters %+v", p)
	}
	return nil
}

// keyFile is a password-protected copy of the master key (keys/<id>).
type keyFile struct {
	KDF     string    `json:"kdf"` // "scrypt"
	N       int       `json:"n"`
	R       int       `json:"r"`
	P       int       `json:"p"`
	Salt    []byte    `json:"salt"` // base64 in JSON
	Data    []byte    `json:"data"` // nonce || AES-256-GCM(kek, JSON masterKey)
	Created time.Time `json:"created"`
	Host    string    `json:"host,omitempty"`
}

// scrypt cost: N=2^15, r=8, p=1 takes ~0.1 s and 32 MiB, restic's choice too.
var defaultKDF = keyFile{KDF: "scrypt", N: 1 << 15, R: 8, P: 1}

func deriveKEK(kf keyFile, password string) ([]byte, error) {
	// Bounds keep a hostile key file from demanding gigabytes (scrypt needs
	// 128·N·r bytes) or minutes of work.
	if kf.KDF != "scrypt" || kf.N < 2 || kf.N > 1<<20 || kf.N&(kf.N-1) != 0 || kf.R < 1 || kf.R > 32 || kf.P < 1 || kf.P > 4 ||
		128*kf.N*kf.R > 256<<20 || len(kf.Salt) < 16 {
		return nil, fmt.Errorf("key file: unsupported key derivation %q N=%d r=%d p=%d", kf.KDF, kf.N, kf.R, kf.P)
	}
	return scrypt.Key([]byte(password), kf.Salt, kf.N, kf.R, kf.P, keySize)
}

func newKeyFile(k masterKey, password, host string) ([]byte, error) {
	kf := defaultKDF
	kf.Salt = make([]byte, 32)
	if _, err := rand.Read(kf.Salt); err != nil {
		return nil, err
	}
	kek, err := deriveKEK(kf, password)
	if err != nil {
		return nil, err
	}
	kf.Created = time.Now().UTC()
	kf.Host = host
	return sealKeyFile(kf, kek, k)
}

// sealKeyFile wraps k with kek under kf's key derivation parameters.
func sealKeyFile(kf keyFile, kek []byte, k masterKey) ([]byte, error) {
	aead, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(k)
	if err != nil {
		return nil, err
	}
	c := &crypter{aead: aead}
	if kf.Data, err = c.seal(nil, plain); err != nil {
		return nil, err
	}
	return json.Marshal(kf)
}

// openKeyFile unwraps the master key; a wrong password is ErrWrongPassword.
func openKeyFile(data []byte, password string) (masterKey, error) {
	k, _, _, err := unwrapKeyFile(data, password)
	return k, err
}

// unwrapKeyFile is openKeyFile that also returns the parsed key file and
// the key that wrapped it, with which the master key can be wrapped again.
func unwrapKeyFile(data []byte, password string) (masterKey, keyFile, []byte, error) {
	var kf keyFile
	var k masterKey
	if err := json.Unmarshal(data, &kf); err != nil {
		return k, kf, nil, fmt.Errorf("key file: %w", err)
	}
	kek, err := deriveKEK(kf, password)
	if err != nil {
		return k, kf, nil, err
	}
	aead, err := newGCM(kek)
	if err != nil {
		return k, kf, nil, err
	}
	plain, err := (&crypter{aead: aead}).open(nil, kf.Data)
	if err != nil {
		return k, kf, nil, ErrWrongPassword
	}
	if err := json.Unmarshal(plain, &k); err != nil {
		return k, kf, nil, fmt.Errorf("key file: %w", err)
	}
	if len(k.Encrypt) != keySize || len(k.ID) != keySize {
		return k, kf, nil, fmt.Errorf("key file: master key has wrong length")
	}
	return k, kf, kek, nil
}

// loadAll reads a whole repository file.
func loadAll(ctx context.Context, be backend.Backend, name string) ([]byte, error) {
	rc, err := be.Load(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	if st, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Size() > 0 && fi.Size() < 1<<30 {
			buf.Grow(int(fi.Size()) + bytes.MinRead) // one allocation for a 50 MB index file, not twenty
		}
	}
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// loadNamed reads a file named by the BLAKE3-256 of its content (dir + hex)
// and checks the content against the name.
func loadNamed(ctx context.Context, be backend.Backend, name string, id ID) ([]byte, error) {
	data, err := loadAll(ctx, be, name)
	if err != nil {
		return nil, err
	}
	if fileID(data) != id {
		return nil, fmt.Errorf("%s: %w", name, errDamaged)
	}
	return data, nil
}

// saveNamed stores data under dir/<BLAKE3-256 of data> and returns the ID.
func saveNamed(ctx context.Context, be backend.Backend, dir string, data []byte) (ID, error) {
	id := fileID(data)
	if err := be.Save(ctx, dir+id.String(), bytes.NewReader(data), int64(len(data))); err != nil {
		return id, err
	}
	return id, nil
}

// isNotFound reports a missing repository file.
func isNotFound(err error) bool { return errors.Is(err, backend.ErrNotFound) }

// openKeyFileStructure checks a key file parses, without the password.
func openKeyFileStructure(data []byte) (keyFile, error) {
	var kf keyFile
	if err := json.Unmarshal(data, &kf); err != nil {
		return kf, fmt.Errorf("key file: %w", err)
	}
	if kf.KDF != "scrypt" || len(kf.Salt) < 16 || len(kf.Data) < gcmNonceSize+gcmTagSize {
		return kf, fmt.Errorf("key file: %w: missing fields", errDamaged)
	}
	return kf, nil
}
