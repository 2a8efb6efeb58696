// Package kv is the ordered, transactional key-value boundary under the graph
// store. The graph code is written once against these interfaces; each
// backend (badger, embedded, in package badgerkv; PostgreSQL, shared by
// several processes, in package pgkv) implements them.
//
// The shape follows what JanusGraph's KeyColumnValueStore and Cayley's
// key-value layer proved: ordered byte keys, transactions, reusable ordered
// scans with Seek, a batched prefix scan for a whole traversal frontier (one
// round trip per hop on a networked engine), and typed errors that say what
// a caller should do.
package kv

import (
	"context"
	"errors"
	"io"
)

// Typed errors. Backends wrap their own errors in these so that callers can
// branch with errors.Is without knowing the backend.
var (
	// ErrNotFound: the key does not exist at the transaction's read time.
	ErrNotFound = errors.New("kv: key not found")
	// ErrConflict: a concurrent transaction changed what this one read.
	// Retry the whole transaction.
	ErrConflict = errors.New("kv: transaction conflict")
	// ErrTooBig: the transaction exceeds what the backend commits at once.
	// Split it.
	ErrTooBig = errors.New("kv: transaction too big")
	// ErrUnknownOutcome: the commit may or may not have happened (a
	// networked backend lost the connection). Retry only idempotent writes.
	ErrUnknownOutcome = errors.New("kv: commit outcome unknown")
	// ErrReadOnly: a write on a read-only transaction or store.
	ErrReadOnly = errors.New("kv: read-only")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("kv: store closed")
	// ErrNotBackup: what Restore was given is not a backup of this backend.
	ErrNotBackup = errors.New("kv: not a backup")
	// ErrLocked: another process holds the store open (an embedded
	// backend's directory is used by one process at a time).
	ErrLocked = errors.New("data directory is locked by another process")
	// ErrUnavailable: a networked backend cannot be reached, or is
	// switching to another server (a failover). Nothing was written; retry
	// later.
	ErrUnavailable = errors.New("kv: backend unavailable")
)

// Features reports what a backend can do, so that the graph layer can adapt.
type Features struct {
	Name           string // "badger"
	Distributed    bool   // several processes share the data
	VersionedReads bool   // Begin with ReadTs reads history
	MaxTxnBytes    int64  // about how much one transaction may write; 0 = unknown
	MaxKeyBytes    int
	MaxValueBytes  int64

	// AllHistory: every version is kept for good (Horizon is always 0),
	// so no asOf is too old to read.
	AllHistory bool
}

// TxnOptions configure Begin.
type TxnOptions struct {
	// Update makes a read-write transaction. Read-write transactions are
	// serialized by the backend: at most one is open at a time, so a
	// read-modify-write sequence never conflicts with another writer.
	Update bool
	// ReadTs reads the store as it was at this commit timestamp; 0 reads
	// the latest finished commit. Only with Features.VersionedReads.
	ReadTs uint64
}

// Store is an ordered, transactional key-value store.
type Store interface {
	// Begin starts a transaction. Every transaction must end with Commit or
	// Discard.
	Begin(ctx context.Context, opts TxnOptions) (Txn, error)
	// NewBatch starts a bulk write that becomes visible to readers all at
	// once, at one commit timestamp, when Flush returns nil. It holds the
	// writer slot like an update transaction until Flush or Cancel.
	NewBatch(ctx context.Context) (Batch, error)
	// LastCommit returns the timestamp of the newest finished commit.
	LastCommit() uint64
	// Horizon returns the oldest read timestamp that sees history
	// completely: a read below it may miss versions that retention has
	// discarded. 0 when all history is kept.
	Horizon() uint64
	// Features describes the backend.
	Features() Features
	// Close flushes and closes the store.
	Close() error
}

// Txn is a transaction: a consistent snapshot for reads, plus buffered
// writes applied atomically at Commit.
type Txn interface {
	// Get returns the value of key, or ErrNotFound. The slice is the
	// caller's to keep.
	Get(key []byte) ([]byte, error)
	// Set writes key. The transaction keeps key and value until it ends;
	// the caller must not modify them.
	Set(key, value []byte) error
	// Delete removes key.
	Delete(key []byte) error
	// Iterate opens an ordered scan. An iterator is reusable: Seek
	// anywhere, any number of times. Close it before the transaction ends.
	Iterate(opts IterOptions) Iterator
	// ScanPrefixes visits, for each prefix in order, every key that starts
	// with it, in key order, calling fn with the prefix's index. It is the
	// batched frontier scan of a traversal: a networked backend answers it
	// in one round trip. fn must not keep key or value past its return.
	// Returning ErrStop from fn ends the scan of that prefix early.
	ScanPrefixes(prefixes [][]byte, keysOnly bool, fn func(i int, key, value []byte) error) error
	// SetLog attaches a change-log record to this transaction: Commit
	// writes it under the log key of the commit timestamp, atomically with
	// the rest.
	SetLog(record []byte)
	// Commit applies the writes and returns the commit timestamp. A
	// read-only transaction's Commit just ends it.
	Commit() (uint64, error)
	// Discard ends the transaction without writing. It is safe to call
	// after Commit.
	Discard()
	// ReadTs returns the timestamp the transaction reads at.
	ReadTs() uint64
}

// ErrStop ends the current prefix of ScanPrefixes without error.
var ErrStop = errors.New("kv: stop")

// IterOptions configure an Iterator.
type IterOptions struct {
	// Prefix limits the scan to keys with this prefix.
	Prefix []byte
	// KeysOnly avoids reading values that are stored apart from keys;
	// Value still works but may cost a read.
	KeysOnly bool
	// Reverse scans in descending key order.
	Reverse bool
}

// Iterator walks keys in order.
type Iterator interface {
	// Seek moves to the first key >= key (<= key when Reverse) within the
	// prefix.
	Seek(key []byte)
	// Rewind moves to the first key of the prefix.
	Rewind()
	// Valid reports whether the iterator is at a key.
	Valid() bool
	// Next moves to the next key.
	Next()
	// Key returns the current key, valid only until the iterator moves.
	Key() []byte
	// Value returns the current value, valid only until the iterator moves.
	Value() ([]byte, error)
	// Close releases the iterator.
	Close()
}

// Batch is a bulk write (see Store.NewBatch).
type Batch interface {
	Set(key, value []byte) error
	Delete(key []byte) error
	// SetLog attaches a change-log record, as Txn.SetLog does.
	SetLog(record []byte)
	// Flush writes everything and makes it visible at one commit
	// timestamp, which it returns. After an error nothing of the batch is
	// visible to readers.
	Flush() (uint64, error)
	// Cancel abandons the batch; nothing of it becomes visible.
	Cancel()
}

// Changes is implemented by backends that several processes share
// (Features.Distributed): it says which keys the commits of any process
// changed, so that a process can keep what it cached of them correct.
type Changes interface {
	// ChangedKeys calls fn with every key written by a commit after
	// since (keys of commits after upTo may come too, and a key may come
	// more than once). Returning an error from fn ends it with that error.
	ChangedKeys(ctx context.Context, since, upTo uint64, fn func(key []byte) error) error
}

// Backuper is implemented by backends that can stream an online backup of
// everything (with history) and load one into an empty store.
type Backuper interface {
	Backup(ctx context.Context, w io.Writer) error
	Restore(ctx context.Context, r io.Reader) error
}
