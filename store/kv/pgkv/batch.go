package pgkv

import (
	"context"
	"fmt"

	"github.com/ties-graph/ties/store/kv"
)

// batchChunk is how many entries a batch buffers before sending them to
// the server: a few megabytes, one round trip per statement.
const (
	batchChunk      = 5000
	batchChunkBytes = 8 << 20
	// analyzeAfter is the size of batch after which the table's
	// statistics are refreshed at once.
	analyzeAfter = 50_000
)

// batch is a kv.Batch: a PostgreSQL transaction holding the writer lock,
// which receives the entries in chunks as they come and makes all of them
// visible at its commit.
type batch struct {
	w    *writer
	ctx  context.Context
	err  error
	done bool
}

var _ kv.Batch = (*batch)(nil)

// NewBatch starts a bulk write. It waits for the writer slots like an
// update Begin and returns the same errors.
func (db *DB) NewBatch(ctx context.Context) (kv.Batch, error) {
	w, err := db.beginWriter(ctx)
	if err != nil {
		return nil, fmt.Errorf("new batch: %w", err)
	}
	return &batch{w: w, ctx: ctx}, nil
}

// Set writes key. Key and value are copied.
func (b *batch) Set(key, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	return b.add(key, value)
}

// Delete removes key.
func (b *batch) Delete(key []byte) error { return b.add(key, nil) }

func (b *batch) add(key, value []byte) error {
	if b.done {
		return errTxnDone
	}
	if b.err != nil {
		return b.err
	}
	if err := checkKey(key); err != nil {
		b.err = fmt.Errorf("batch write: %w", err)
		return b.err
	}
	b.w.pending.set(key, value)
	if b.w.pending.len() >= batchChunk || b.w.pending.bytes >= batchChunkBytes {
		if err := b.w.flush(b.ctx); err != nil {
			b.err = fmt.Errorf("batch write: %w", err)
			return b.err
		}
	}
	return nil
}

// SetLog attaches the change-log record written with the batch.
func (b *batch) SetLog(record []byte) {
	b.w.log = append([]byte(nil), record...)
	b.w.hasLog = true
}

// Flush sends the rest and commits. After an error nothing of the batch is
// visible. An empty batch commits nothing and returns the last commit.
func (b *batch) Flush() (uint64, error) {
	if b.done {
		return 0, errTxnDone
	}
	b.done = true
	defer b.w.db.releaseWriter()
	if b.err != nil {
		b.w.rollback()
		return 0, fmt.Errorf("flush batch: %w", b.err)
	}
	big := b.w.sent >= analyzeAfter
	ts, err := b.w.commit(b.ctx)
	if err != nil {
		b.w.rollback()
		return 0, fmt.Errorf("flush batch at %d: %w", b.w.commitTs, err)
	}
	if big {
		// Autovacuum would get to it, in a minute or so; until then the
		// planner thinks the table is as small as it was, and the first
		// reads of every row pay to set its hint bits.
		if _, err := b.w.db.pool.Exec(b.ctx, `VACUUM (ANALYZE) ties_kv`); err != nil {
			b.w.db.log.Warn("vacuum after a bulk load", "err", err)
		}
	}
	return ts, nil
}

// Cancel abandons the batch; the server rolls back what it was sent.
func (b *batch) Cancel() {
	if b.done {
		return
	}
	b.done = true
	b.w.rollback()
	b.w.db.releaseWriter()
}
