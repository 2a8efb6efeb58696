package store

import (
	"context"
	"fmt"

	"github.com/ties-graph/ties/store/kv"
)

// Format versions. 1: the first. 2: adds the citation index (0x11) and
// the text index (0x12), whose entries a store of format 1 lacks.

// upgradeFrom1 brings a store of format 1 to format 2 by writing the
// citation and text index entries of every entity and relation, and the
// new marker, in one batch: all of it or, after an error, none. It reads
// each body once, so it costs about what an export does. Without it, a
// data directory written by an older Ties would miss its descriptions in
// search and its citations in citedBy, and fail Check.
func (s *Store) upgradeFrom1(ctx context.Context) error {
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		return fmt.Errorf("upgrade the store: %w", err)
	}
	defer tx.Discard()
	b, err := s.db.NewBatch(ctx)
	if err != nil {
		return fmt.Errorf("upgrade the store: %w", err)
	}
	entities, relations := 0, 0
	err = eachBody(ctx, tx, pEntity, func(id uint64, v []byte) error {
		eb, err := decodeEntity(v)
		if err != nil {
			return fmt.Errorf("entity %d: %w", id, err)
		}
		entities++
		nv := nameValueOf(eb.e, eb.typ)
		for _, k := range textKeys(eb.e, NodeID(id)) {
			if err := b.Set(k, nv); err != nil {
				return err
			}
		}
		for _, k := range citeKeys(kindEntity, id, eb.e.Sources) {
			if err := b.Set(k, []byte(eb.e.ID)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = eachBody(ctx, tx, pRelation, func(id uint64, v []byte) error {
			rb, err := decodeRelation(v)
			if err != nil {
				return fmt.Errorf("relation %d: %w", id, err)
			}
			relations++
			for _, k := range relationTermKeys(rb.r, RelID(id)) {
				if err := b.Set(k, []byte(rb.r.ID)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err == nil {
		err = b.Set(metaKey(metaFormat), []byte{formatVersion})
	}
	if err != nil {
		b.Cancel()
		return fmt.Errorf("upgrade the store from format 1: %w", err)
	}
	if _, err := b.Flush(); err != nil {
		return fmt.Errorf("upgrade the store from format 1: %w", err)
	}
	s.log.Info("upgraded the store to format 2: wrote the text and citation index entries",
		"entities", entities, "relations", relations)
	return nil
}

// eachBody calls fn with the internal id and the body of every key of
// prefix p (pEntity or pRelation).
func eachBody(ctx context.Context, tx kv.Txn, p byte, fn func(id uint64, v []byte) error) error {
	it := tx.Iterate(kv.IterOptions{Prefix: []byte{p}})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		id, err := parseIDKey(p, it.Key())
		if err != nil {
			return err
		}
		v, err := it.Value()
		if err != nil {
			return err
		}
		if err := fn(id, v); err != nil {
			return err
		}
	}
	return nil
}
