package badgerkv

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/ties-graph/ties/store/kv"
)

// batch is a kv.Batch over a managed badger WriteBatch: every entry carries
// the batch's one commit timestamp, so readers, whose read timestamp stays
// at the last finished commit until Flush returns, see all of it or none.
type batch struct {
	db       *DB
	wb       *badger.WriteBatch
	commitTs uint64
	writes   int // Set and Delete calls badger accepted
	log      []byte
	hasLog   bool
	err      error // the first failed write; Flush then rolls back
	done     bool
}

var _ kv.Batch = (*batch)(nil)

// NewBatch starts a bulk write holding the writer slot until Flush or
// Cancel. It waits for the slot like Begin and returns the same errors.
//
// Badger commits a large batch in several internal transactions as it
// goes, all at the batch's timestamp. Should the batch fail or be
// cancelled, those writes are undone by writing, at a later timestamp, each
// key's previous version (or a delete); the keys are found again by a scan
// restricted to the batch's timestamp, so a batch of millions of keys needs
// no memory for them. A batch that was in progress when the process died is
// undone the same way by the next Open.
func (db *DB) NewBatch(ctx context.Context) (kv.Batch, error) {
	if err := db.acquireWriter(ctx); err != nil {
		return nil, fmt.Errorf("new batch: %w", err)
	}
	ts := db.clock.next()
	if err := db.state.setPending(ts); err != nil {
		db.releaseWriter()
		return nil, fmt.Errorf("new batch: %w", err)
	}
	return &batch{db: db, wb: db.bdb.NewWriteBatchAt(ts), commitTs: ts}, nil
}

// Set writes key. Key and value are copied: the write batch holds entries
// until badger commits them, long after a bulk loader reuses its buffers.
func (b *batch) Set(key, value []byte) error {
	if b.done {
		return errTxnDone
	}
	if b.err != nil {
		return b.err
	}
	if err := b.wb.Set(bytes.Clone(key), bytes.Clone(value)); err != nil {
		b.err = mapErr(fmt.Sprintf("batch set %x", key), err)
		return b.err
	}
	b.writes++
	return nil
}

// Delete removes key.
func (b *batch) Delete(key []byte) error {
	if b.done {
		return errTxnDone
	}
	if b.err != nil {
		return b.err
	}
	if err := b.wb.Delete(bytes.Clone(key)); err != nil {
		b.err = mapErr(fmt.Sprintf("batch delete %x", key), err)
		return b.err
	}
	b.writes++
	return nil
}

// SetLog attaches the change-log record written with the batch.
func (b *batch) SetLog(record []byte) {
	b.log = bytes.Clone(record)
	b.hasLog = true
}

// Flush writes the rest of the batch and makes all of it visible at its
// commit timestamp. On error, whatever badger had already committed is
// rolled back before Flush returns, and the error says what failed. An
// empty batch commits nothing and returns the last commit.
func (b *batch) Flush() (uint64, error) {
	if b.done {
		return 0, errTxnDone
	}
	if b.writes == 0 && !b.hasLog && b.err == nil {
		b.Cancel()
		return b.db.lastCommit.Load(), nil
	}
	b.done = true
	defer b.db.releaseWriter()
	err := b.err
	if err == nil && b.hasLog {
		if b.db.opts.LogKey == nil {
			err = errors.New("change-log record given but no LogKey configured")
		} else if werr := b.wb.Set(b.db.opts.LogKey(b.commitTs), b.log); werr != nil {
			err = mapErr("write change log", werr)
		}
	}
	if err == nil {
		err = b.wb.Flush()
		if err == nil && b.db.failFlush != nil {
			err = b.db.failFlush()
		}
	}
	if err != nil {
		b.wb.Cancel()
		if rerr := b.db.rollback(b.commitTs); rerr != nil {
			return 0, fmt.Errorf("flush batch at %d: %w (and its rollback failed: %v)", b.commitTs, mapErr("flush", err), rerr)
		}
		return 0, fmt.Errorf("flush batch at %d: %w", b.commitTs, mapErr("flush", err))
	}
	b.db.lastCommit.Store(b.commitTs)
	if err := b.db.state.clearPending(); err != nil {
		// The batch is committed; a stale marker would only make the next
		// Open roll back a batch that succeeded, so say so loudly.
		b.db.log.Error("clear pending batch marker", "ts", b.commitTs, "err", err)
		return b.commitTs, fmt.Errorf("flush batch at %d: committed, but %w", b.commitTs, err)
	}
	return b.commitTs, nil
}

// Cancel abandons the batch, undoing anything badger already committed.
func (b *batch) Cancel() {
	if b.done {
		return
	}
	b.done = true
	defer b.db.releaseWriter()
	b.wb.Cancel()
	if b.writes == 0 {
		// Badger cannot have committed anything.
		if err := b.db.state.clearPending(); err != nil {
			b.db.log.Error("clear pending batch marker", "ts", b.commitTs, "err", err)
		}
		return
	}
	if err := b.db.rollback(b.commitTs); err != nil {
		b.db.log.Error("roll back cancelled batch", "ts", b.commitTs, "err", err)
	}
}

// rollback undoes every write made at commitTs by writing, at a fresh
// timestamp, the version each key had before (or a delete where it had
// none), then records [commitTs, rollback ts) as a hole that versioned
// reads step below. The caller holds the writer slot. If rollback fails,
// the store refuses further writes: the next commit would otherwise expose
// the partial batch. The pending marker stays, so the next Open retries.
func (db *DB) rollback(commitTs uint64) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("roll back batch at %d: %w", commitTs, err)
			db.broken.Store(&err)
		}
	}()
	n, rbTs, err := db.undo(commitTs)
	if err != nil {
		return err
	}
	if n > 0 {
		if err := db.state.addHole(commitTs, rbTs); err != nil {
			return err
		}
		db.lastCommit.Store(rbTs)
		db.log.Warn("rolled back batch", "ts", commitTs, "keys", n, "rollbackTs", rbTs)
	}
	return db.state.clearPending()
}

// undo writes the pre-commitTs version of every key that has a version at
// commitTs, at a new timestamp it returns with the number of keys.
func (db *DB) undo(commitTs uint64) (int, uint64, error) {
	at := db.bdb.NewTransactionAt(commitTs, false)
	defer at.Discard()
	before := db.bdb.NewTransactionAt(commitTs-1, false)
	defer before.Discard()
	it := at.NewIterator(badger.IteratorOptions{
		AllVersions: true,
		// Only versions above SinceTs are read, and badger skips whole
		// tables older than it: the scan sees exactly the batch.
		SinceTs: commitTs - 1,
	})
	defer it.Close()
	var (
		wb   *badger.WriteBatch
		rbTs uint64
		n    int
	)
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		if item.Version() != commitTs {
			continue
		}
		if wb == nil {
			rbTs = db.clock.next()
			wb = db.bdb.NewWriteBatchAt(rbTs)
			defer wb.Cancel()
		}
		key := item.KeyCopy(nil)
		prev, err := before.Get(key)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			err = wb.Delete(key)
		case err != nil:
			return 0, 0, fmt.Errorf("read previous version of %x: %w", key, err)
		default:
			var v []byte
			if v, err = prev.ValueCopy(nil); err != nil {
				return 0, 0, fmt.Errorf("read previous version of %x: %w", key, err)
			}
			err = wb.Set(key, v)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("restore %x: %w", key, err)
		}
		n++
	}
	if wb == nil {
		return 0, 0, nil
	}
	if err := wb.Flush(); err != nil {
		return 0, 0, fmt.Errorf("write rollback at %d: %w", rbTs, err)
	}
	return n, rbTs, nil
}

// recoverBatch undoes a batch that was in progress when the store was last
// closed without finishing it (a crash).
func (db *DB) recoverBatch() error {
	ts := db.state.pendingTs()
	if ts == 0 {
		return nil
	}
	db.log.Warn("rolling back a batch left unfinished by the last run", "ts", ts)
	if err := db.rollback(ts); err != nil {
		return err
	}
	return nil
}
