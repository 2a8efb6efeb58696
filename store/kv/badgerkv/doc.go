// Package badgerkv is the badger backend of the key-value boundary
// (package kv): an embedded, ordered, transactional store that keeps
// history, so that a read at an old timestamp sees the graph as it was
// recorded then.
//
// # Managed mode
//
// Badger is opened in managed mode (badger.OpenManaged): this package, not
// badger, chooses every read and commit timestamp. That is what makes
// history addressable by time, and it moves a few duties from badger to
// here:
//
//   - Commit timestamps come from a hybrid logical clock: unix milliseconds
//     shifted left 16 bits, plus a counter. They strictly increase even if
//     the wall clock steps back, and on Open the clock starts past the
//     highest version on disk (badger's MaxVersion), so they never repeat
//     across restarts or after Restore. TsOf, TimeOf and ReadTsAt map
//     between timestamps and times.
//   - Badger does not wait for in-flight commits in managed mode, and View
//     reads at the newest version, which may belong to a commit still being
//     written. So no read uses View: every transaction reads at an explicit
//     timestamp, the last *finished* commit (or an older one asked for),
//     and LastCommit moves only after CommitAt or a batch Flush returned.
//     A read at a time past the last finished commit waits for a
//     transaction commit in flight and moves the clock past that time, so
//     that it gives the same answer when repeated (a bulk batch, whose
//     timestamp is taken when it begins, is the exception).
//   - Writers are serialized: an update transaction or a batch holds the
//     single writer slot from Begin (NewBatch) to its end, reads at the last
//     finished commit and commits at the next clock reading. Two writers
//     never overlap, so they never conflict; conflict detection is off,
//     which also spares badger a table of every commit's keys that it would
//     only prune when the discard timestamp moves.
//   - DB.Update and GetSequence panic in managed mode and are never used;
//     the graph layer allocates ids from a counter key of its own inside
//     the writing transaction.
//   - Every version newer than the history retention is kept. Badger's
//     compaction keeps all versions above its discard timestamp and counts
//     NumVersionsToKeep only among those at or below it, so the store sets
//     NumVersionsToKeep to 1 (the newest version at the horizon survives, to
//     answer reads there) and a background goroutine moves the discard
//     timestamp to now minus the retention; with retention forever it stays
//     at 0 and nothing is dropped. (NumVersionsToKeep = MaxInt32 would keep
//     every superseded version forever, whatever the retention.) The same
//     goroutine runs value-log garbage collection now and then.
//   - DB.Backup panics in managed mode, and badger's Stream.Backup stops at a
//     key's newest delete, dropping the history behind it. Backup streams a
//     snapshot at the last finished commit (NewStreamAt) with every version
//     of every key, in badger's backup format, and Restore (badger's Load)
//     moves the clock past the newest restored version. Load writes as it
//     reads, so a restore that does not finish leaves part of a backup:
//     the state file marks a restore in progress, and Open refuses a
//     directory whose restore did not finish (ErrUnfinishedRestore).
//
// # Batches
//
// A batch writes every entry at one commit timestamp. It buffers entries
// in chunks of about one badger transaction, sorts each chunk by key and
// hands it to badger's KVLoader, which sends the entries to the write
// channel in that order: badger's WriteBatch would insert them into the
// memtable's skiplist in the random order of a Go map, which costs about
// four times as much. Badger writes the chunks as they come; readers do
// not see any of it until Flush returns, because their read timestamp
// stays at the last finished commit.
//
// A batch larger than a few chunks into a store that has never been
// written (an import into a new data directory) takes another path (see
// bulk.go): its sorted chunks go to run files in a bulk-* directory of the
// data directory, and Flush merges them into badger's StreamWriter, which
// writes sorted tables straight into the bottom level with no write-ahead
// log, memtable or compaction. It needs, for a while, disk space for the
// runs besides the tables. If the batch fails or is cancelled,
// the keys written at its timestamp are found again by a scan that badger
// restricts to that timestamp (IteratorOptions.SinceTs), and each gets its
// previous version back (or a delete) at a later timestamp. The batch's
// range of timestamps is then recorded as a hole that versioned reads step
// below. A marker file in the data directory names the batch in progress,
// so that the next Open rolls back a batch cut short by a crash (a
// read-only Open reads below it instead). A killed writer also leaves
// badger's write-ahead log unfinished, which badger replays only when it
// may truncate it; a read-only Open that meets one first opens the
// directory for writing and closes it again, recovering it as the next
// writer would. Writing the marker costs two
// small synced file writes per batch. Finding the keys again by timestamp
// rather than remembering them keeps a batch of millions of keys in flat
// memory, and works the same after a crash, when nothing remembered
// survives.
//
// Backups carry every version but not the record of rolled-back ranges: in
// a restored store, a versioned read at the timestamp of a batch that had
// failed can see part of it. Reads at the latest commit are unaffected.
//
// Keys must not start with "!badger!", which badger reserves.
package badgerkv
