package store

import (
	"context"
	"fmt"

	"github.com/ties-graph/ties/store/kv/pgkv"
)

// OpenPostgres opens the store in the PostgreSQL database at url
// (postgres://user@host:port/db; several hosts with
// target_session_attrs=read-write follow a failover), creating its tables
// on first use. Several processes may open the same database at once.
// Every version is kept there: opts.HistoryRetention does not apply, and
// durability is the server's (synchronous_commit), not opts.SyncWrites.
// It returns an error wrapping pgkv.ErrNewerSchema for a database set up
// by a newer Ties.
func OpenPostgres(ctx context.Context, url string, opts Options) (*Store, error) {
	db, err := pgkv.Open(ctx, pgkv.Options{URL: url, ReadOnly: opts.ReadOnly, LogKey: logKey, Logger: opts.Logger})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s, err := New(db, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
