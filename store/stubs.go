package store

// SKELETON: these signatures are the contract. The engine replaces every
// body; nothing here may remain when the engine lands.

import (
	"context"
	"errors"
)

var errUnimplemented = errors.New("unimplemented")

// Load validates every record of src, then writes them all through the
// backend's bulk path at one commit timestamp: readers see all of it or
// none. Records may come in any order (a relation may precede the entities
// it names); upserts by id make a re-run safe. Validation errors are Errors
// naming "<source>:<line>" and the field; with any of them nothing is
// written.
func (s *Store) Load(ctx context.Context, src RecordSource, opts LoadOptions) (LoadResult, error) {
	return LoadResult{}, errUnimplemented
}
