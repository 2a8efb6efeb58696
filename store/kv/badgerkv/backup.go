package badgerkv

import (
	"context"
	"fmt"
	"io"

	"github.com/dgraph-io/badger/v4"
)

// Backup streams every version of every key, up to the last finished
// commit, to w while the store keeps serving. Cancelling ctx stops it at
// the next write to w.
func (db *DB) Backup(ctx context.Context, w io.Writer) error {
	if err := db.enter(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.active.Done()
	// DB.Backup panics in managed mode; a stream at the last finished
	// commit is also the consistent snapshot a backup should be.
	stream := db.bdb.NewStreamAt(db.lastCommit.Load())
	stream.LogPrefix = "backup"
	if _, err := stream.Backup(ctxWriter{ctx, w}, 0); err != nil {
		return mapErr("backup", err)
	}
	return ctx.Err()
}

// Restore loads a backup made by Backup into this store, which must be
// empty. It holds the writer slot throughout; afterwards the clock and the
// last commit stand at the newest restored version, so new commits come
// after everything restored.
func (db *DB) Restore(ctx context.Context, r io.Reader) error {
	if err := db.acquireWriter(ctx); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer db.releaseWriter()
	empty, err := db.empty()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if !empty {
		return fmt.Errorf("restore: the store is not empty")
	}
	if err := db.bdb.Load(ctxReader{ctx, r}, 16); err != nil {
		return mapErr("restore", err)
	}
	max := db.bdb.MaxVersion()
	db.clock.observe(max)
	db.lastCommit.Store(max)
	return nil
}

// empty reports whether the store holds no version of any key.
func (db *DB) empty() (bool, error) {
	t := db.bdb.NewTransactionAt(^uint64(0), false)
	defer t.Discard()
	it := t.NewIterator(badger.IteratorOptions{AllVersions: true})
	defer it.Close()
	it.Rewind()
	return !it.Valid(), nil
}

type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
