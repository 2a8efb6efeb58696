package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ties-graph/ties/store/kv"
)

// ChangeLog calls fn with every change-log record, oldest first, with the
// time of its commit; it stops at fn's first error and returns it.
func (s *Store) ChangeLog(ctx context.Context, fn func(at time.Time, rec ChangeRecord) error) error {
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		return fmt.Errorf("read the change log: %w", err)
	}
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{Prefix: []byte{pLog}})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		ts, err := parseLogKey(it.Key())
		if err != nil {
			return fmt.Errorf("read the change log: %w", err)
		}
		v, err := it.Value()
		if err != nil {
			return fmt.Errorf("read the change log: %w", err)
		}
		var rec ChangeRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("read the change log at %d: %w", ts, err)
		}
		if err := fn(s.timeOf(ts), rec); err != nil {
			return err
		}
	}
	return nil
}
