package exchange

import (
	"context"
	"fmt"

	"github.com/ties-graph/ties/store"
)

// spool keeps the records of a typed export (CSV, GraphML, GEXF), which
// must declare every property before the first record, while the graph is
// read: one read of the store collects the schema and fills the spool,
// and the records are then written from it. Reading the store twice
// instead cost a second walk of point reads, which at 10 million
// relations took as long as the first. It is a store.Spool, a temporary
// file of records in the store's body codec (cheaper to write and read
// back than NDJSON), so memory holds its buffers only, whatever the size
// of the graph; the disk holds about the size of the bodies exported.
type spool struct {
	sp *store.Spool
}

func newSpool() (*spool, error) {
	sp, err := store.NewSpool()
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &spool{sp: sp}, nil
}

func (s *spool) entity(e *store.Entity) error     { return s.sp.Add(store.Record{Entity: e}) }
func (s *spool) relation(r *store.Relation) error { return s.sp.Add(store.Record{Relation: r}) }

// replay calls entity for every entity spooled, then endEntities, then
// relation for every relation, in the order they were spooled (all
// entities were spooled before the first relation).
func (s *spool) replay(ctx context.Context, entity func(*store.Entity) error, endEntities func() error, relation func(*store.Relation) error) error {
	ended := false
	err := s.sp.Replay(ctx, func(rec store.Record) error {
		if rec.Entity != nil {
			return entity(rec.Entity)
		}
		if !ended {
			ended = true
			if err := endEntities(); err != nil {
				return err
			}
		}
		return relation(rec.Relation)
	})
	if err != nil || ended {
		return err
	}
	return endEntities()
}

// close removes the spool.
func (s *spool) close() error { return s.sp.Close() }
