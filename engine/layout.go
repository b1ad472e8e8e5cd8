package engine

import "strings"

// The repository layout (docs/FORMAT.md §1): the one definition of its
// file names, for the engine and for whatever copies, lists or inspects a
// repository (engine/replica, the command line).
const (
	ConfigFile   = "config"     // the repository header
	KeysDir      = "keys/"      // password-wrapped master keys (encrypted repositories)
	PacksDir     = "packs/"     // packs/<xx>/<id>: chunks and folder listings
	IndexDir     = "index/"     // which blob is where
	SnapshotsDir = "snapshots/" // one commit record per backup
	LocksDir     = "locks/"     // who is using the repository
)

// FileKind is the kind of a repository file.
type FileKind int

// The kinds of repository files; KindOther is anything else found at a
// repository's location (a local setting such as replicas.json, a
// temporary file of an interrupted write).
const (
	KindOther FileKind = iota
	KindConfig
	KindKey
	KindPack
	KindIndex
	KindSnapshot
	KindLock
)

var kindDirs = []struct {
	dir  string
	kind FileKind
}{{KeysDir, KindKey}, {PacksDir, KindPack}, {IndexDir, KindIndex}, {SnapshotsDir, KindSnapshot}, {LocksDir, KindLock}}

// KindOf classifies a slash-separated name relative to the repository
// root by where it is; it does not check that the name is well formed.
func KindOf(name string) FileKind {
	if name == ConfigFile {
		return KindConfig
	}
	for _, d := range kindDirs {
		if strings.HasPrefix(name, d.dir) && len(name) > len(d.dir) {
			return d.kind
		}
	}
	return KindOther
}

// String names the kind as the layout does ("config", "packs", ...).
func (k FileKind) String() string {
	switch k {
	case KindConfig:
		return ConfigFile
	case KindOther:
		return "other"
	}
	for _, d := range kindDirs {
		if d.kind == k {
			return strings.TrimSuffix(d.dir, "/")
		}
	}
	return "unknown"
}
