package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
)

// This file holds FindNeighbors: the distinct entities at the other ends
// of an entity's relations, each with every relation joining them.

// NeighborPage is one page of the distinct neighbours of an entity, each
// with every relation joining them under the filter.
type NeighborPage struct {
	Neighbors []*Entity
	// Relations gives, per neighbour, the relations joining it to the
	// entity, in adjacency order (outgoing before incoming, then by type).
	Relations   [][]*Relation
	Cursors     []string
	HasNext     bool
	HasPrevious bool
	TotalCount  int // distinct neighbours
}

// neighborCursorTag starts a cursor of FindNeighbors, so that a cursor of
// FindRelations given to it is refused rather than misread.
const neighborCursorTag = 'n'

// FindNeighbors pages through the distinct entities joined to entity id
// (NotFound when it does not exist) by relations that match f, one per
// neighbour however many relations join them, in the order the
// neighbours were created; a cursor is the position of its neighbour, so
// it stays valid whatever changes. Where keeps the relations it passes,
// NeighborWhere the neighbours; OrderBy is refused (Invalid): the order
// is the neighbours' creation. It walks the entity's whole adjacency
// for every page (as TotalCount must), so it costs what the entity's
// degree is. Errors: Invalid for unknown types, a negative First or a bad
// cursor.
func (s *Store) FindNeighbors(ctx context.Context, id string, f RelationFilter, ro ReadOptions) (NeighborPage, error) {
	first, err := SizeOr(f.First, DefaultPageSize, "first")
	if err != nil {
		return NeighborPage{}, err
	}
	if len(f.OrderBy) > 0 {
		return NeighborPage{}, FieldError("", "orderBy", "distinct neighbours come in the order they were created; leave out orderBy or distinct")
	}
	var after NodeID
	hasAfter := f.After != ""
	if hasAfter {
		b, err := decodeCursor(f.After)
		if err != nil {
			return NeighborPage{}, err
		}
		if len(b) != 9 || b[0] != neighborCursorTag {
			return NeighborPage{}, &Error{Code: Invalid, Field: "after", Message: fmt.Sprintf("invalid cursor %q: not a cursor of distinct neighbours", f.After)}
		}
		after = NodeID(binary.BigEndian.Uint64(b[1:]))
	}
	var page NeighborPage
	err = s.View(ctx, ro, func(r *Reader) error {
		q, err := r.compileRelations(id, f)
		if err != nil {
			return err
		}
		n, ef, w, nw := q.n, q.ef, q.w, q.nw
		joins := map[NodeID][]Edge{}
		refused := map[NodeID]bool{} // neighbours that fail NeighborWhere
		err = r.Edges(n, ef, func(e Edge) error {
			if w != nil {
				rel, err := r.relation(e.Relation)
				if err != nil {
					return err
				}
				if rel == nil || !w.matches(relationRecord(rel, e.Type)) {
					return nil
				}
			}
			if nw != nil && len(joins[e.Other]) == 0 {
				if refused[e.Other] {
					return nil
				}
				other, err := r.entity(e.Other)
				if err != nil {
					return err
				}
				if other == nil || !nw.matches(entityRecord(other, e.OtherType)) {
					refused[e.Other] = true
					return nil
				}
			}
			joins[e.Other] = append(joins[e.Other], e)
			return nil
		})
		if err != nil {
			return err
		}
		page.TotalCount = len(joins)
		others := make([]NodeID, 0, len(joins))
		for o := range joins {
			if !hasAfter || o > after {
				others = append(others, o)
			}
		}
		slices.Sort(others)
		if len(others) > first {
			others, page.HasNext = others[:first], true
		}
		page.HasPrevious = hasAfter
		if page.Neighbors, err = r.Entities(others); err != nil {
			return err
		}
		for _, o := range others {
			es := joins[o]
			ids := make([]RelID, len(es))
			for i, e := range es {
				ids[i] = e.Relation
			}
			rels, err := r.Relations(ids)
			if err != nil {
				return err
			}
			page.Relations = append(page.Relations, rels)
			page.Cursors = append(page.Cursors, encodeCursor(binary.BigEndian.AppendUint64([]byte{neighborCursorTag}, uint64(o))))
		}
		return nil
	})
	if err != nil {
		return NeighborPage{}, err
	}
	return page, nil
}
