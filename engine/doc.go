// Package engine is Cadang's backup engine: a self-describing, content-
// addressed, deduplicating, LZ4-compressed and (with a password) encrypted
// repository of snapshots, written crash-safely through a small storage
// interface (engine/backend).
//
// Vocabulary (docs/FORMAT.md has the byte layout):
//   - chunk: a piece of a file cut by content-defined chunking (FastCDC,
//     256 KiB average), named by its BLAKE3 (keyed when encrypted);
//   - tree: one folder's listing (JSON), itself stored like a chunk;
//   - blob: a chunk or a tree as stored: LZ4-compressed when that helps,
//     sealed with AES-256-GCM when encrypted;
//   - pack: an immutable file of many blobs plus an (encrypted) header;
//   - index: which blob is in which pack (binary files in format version 2,
//     JSON in version 1; both are read);
//   - snapshot: the commit record of one backup, pointing at its root tree.
//
// Guarantees: every snapshot is complete (no chains); a backup commits by
// writing its snapshot last, after its packs and index, so a crash at any
// instant leaves every earlier snapshot restorable and the next backup
// reuses what the interrupted one stored; a restore writes only below its
// target and checks every file's SHA-256; verify finds any changed byte.
// Writers hold an exclusive lock in locks/.
//
// How a backup runs: one walker per free core lists folders and compares
// entries with the parent snapshot (unchanged files are not read; a
// caller may start a Prescan that lists and stats folders while the
// repository opens, and the walk takes what it found); file
// workers read, cut (FastCDC, 256 KiB average), hash (SHA-256 per file,
// BLAKE3 per chunk) and hand new chunks to blob workers that compress (LZ4)
// and seal them into at most two 16 MiB pack buffers; a goroutine per
// folder stores its listing once its entries are done. Memory stays bounded
// by those buffers and by the index, not by the data. A restore plans
// every entry first, keeping about 400 bytes a file (not the snapshot's
// trees), creates folders and files of several chunks with many workers
// (creation is slow in kernels), and fetches each pack once, writing
// chunks at their offsets (zero blocks stay holes); a small file of one
// chunk is created by the write of that chunk, on one of 16 create
// workers. Every file's SHA-256 is checked: a file of one chunk against
// the bytes written to it, others by re-reading them through the same
// descriptor. That check covers every byte of every chunk restored, so a
// restore does not also hash each chunk against its ID (verify does): a
// chunk whose content is not its ID's fails the files made of it.
//
// The index in memory is compact: one array of 52-byte records sorted by
// blob ID (about 50 MiB per million blobs), pack IDs stored once; blobs
// added since the open wait in a small map. Open reads the config and the
// key, not the index: the index is read, as a stream, when the first tree
// or chunk is needed (listing snapshots or forgetting never reads it).
// Prune and verify walk the snapshots' trees on every core; verify
// --read-data reads packs on every core and walks the trees it decoded
// with them from memory. Trees are read by a decoder of their own when
// they are in the form encoding/json writes (decodeTreeFast), by json/v2
// otherwise.
//
// A parent snapshot's folder listing that fails to load is a warning
// naming the parent snapshot and the folder (BackupResult.Warnings); the
// files below it are read again and the backup completes.
//
// Trust: a repository opened with a password is encrypted (ErrNotEncrypted
// otherwise), and its key files authenticate the plaintext config, so an
// edited config is ErrTampered at open (docs/FORMAT.md §3–4).
//
// What a snapshot records of each entry: name (exact bytes), type, mode
// with setuid/setgid/sticky, modification time, size, content, link
// target, numeric owner and group (Linux), extended attributes (Linux:
// POSIX ACLs, Samba's security.NTACL, SELinux labels, user.*). A restore
// run as root gives entries their owners; run as anyone else they keep the
// restoring user and lose setuid/setgid. A target that cannot hold an
// extended attribute drops it.
//
// Hard links are recorded (links, with the inode) and restored as hard
// links among the names a restore includes; zero blocks are never written,
// so sparse files stay sparse; FIFOs are restored, device nodes when run as
// root (otherwise skipped with a warning).
//
// Non-guarantees: sockets are skipped with a warning at backup; access
// times are not kept. Two processes must not write one repository at once without
// the lock (e.g. over a file system that loses files on rename).
//
// Layering: this package links only the repository format and
// engine/backend (TestLayering). It takes a backend.Backend; opening one
// from a path or URL is engine/location's job, and copying a repository
// to replicas is engine/replica's. The layout (ConfigFile, PacksDir, ...,
// KindOf) is defined here once for all of them.
package engine
