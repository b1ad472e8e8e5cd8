// Package replica copies a Cadang repository from one backend to another
// (an offsite folder, an SFTP server, an rclone remote, an S3 bucket) and
// keeps the list of a repository's replicas (replicas.json). Copy, Mirror
// and Compare take two backends; Sync and Status take a local repository
// folder and a replica's name, open both ends with engine/location, and
// record the outcome in the list. It sits above the engine: the engine
// itself knows nothing of replicas or remote backends.
//
// Vocabulary: the source is the repository the backups write to; a replica
// is a backend holding a copy of it that can be opened, verified and
// restored from exactly like the source.
//
// Guarantees of Copy:
//   - Consistent at every instant: snapshot files are copied last, after
//     every pack, index and key file, so a snapshot on the replica never
//     references data that is not there. The source's snapshots are listed
//     before its other files, so a backup committing during the copy cannot
//     slip in a snapshot whose packs were missed.
//   - Incremental and resumable: a file already on the replica with the same
//     name and size is not copied again (packs, indexes, keys and snapshots
//     are immutable and named by the BLAKE3-256 of their content). An
//     interrupted run leaves only complete files under their final names
//     (every backend's Save is atomic), so the next run copies only what is
//     still missing.
//   - Checked: every content-named file is hashed while it is read from the
//     source and must match its name (a damaged source file is never
//     published on the replica); after upload it is read back from the
//     replica and hashed again. The config file is written once, never
//     overwritten: a replica whose config differs from the source's is
//     refused (ErrOtherRepository for another repository, ErrConfigChanged
//     for an edited config of the same one).
//   - Only ciphertext travels: files are copied as stored, so an encrypted
//     repository stays encrypted on the replica and no password is needed.
//   - Bandwidth: an optional token bucket limits the bytes read per second,
//     shared by the parallel transfers (4 by default).
//   - One repository per location: a replica whose config names another
//     repository is refused (ErrOtherRepository), never mixed.
//
// Non-guarantees: Copy never deletes anything on the replica by default, so
// a mistake or an attack on the source does not propagate offsite; Mirror
// (cadang replica sync --delete) removes what prune removed from the source,
// snapshots first. Locks and files outside the repository layout (such as
// replicas.json) are not copied. Files that were already present are
// trusted by name and size: `cadang verify --read-data --repo REPLICA`
// re-reads everything.
package replica
