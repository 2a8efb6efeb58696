package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"

	"github.com/ties-graph/ties/store/kv"
)

// FindEntityByID returns the entity, or a NotFound error.
func (s *Store) FindEntityByID(ctx context.Context, id string, ro ReadOptions) (*Entity, error) {
	return findOne(id, "entity", func(ids []string) ([]*Entity, error) { return s.FindEntitiesByIDs(ctx, ids, ro) })
}

// FindEntitiesByIDs returns the entities in the order of ids, nil where one
// does not exist. One snapshot, one batched read: the dataloaders call it.
func (s *Store) FindEntitiesByIDs(ctx context.Context, ids []string, ro ReadOptions) ([]*Entity, error) {
	return findByIDs(ctx, s, ids, ro, func(r *Reader, id string) (*Entity, error) {
		n, ok, err := r.Lookup(id)
		if err != nil || !ok {
			return nil, err
		}
		return r.entity(n)
	})
}

// FindRelationByID returns the relation, or a NotFound error.
func (s *Store) FindRelationByID(ctx context.Context, id string, ro ReadOptions) (*Relation, error) {
	return findOne(id, "relation", func(ids []string) ([]*Relation, error) { return s.FindRelationsByIDs(ctx, ids, ro) })
}

// FindRelationsByIDs returns the relations in the order of ids, nil where
// one does not exist.
func (s *Store) FindRelationsByIDs(ctx context.Context, ids []string, ro ReadOptions) ([]*Relation, error) {
	return findByIDs(ctx, s, ids, ro, func(r *Reader, id string) (*Relation, error) {
		ref, ok, err := r.lookupAny(id)
		if err != nil || !ok || ref.kind != kindRelation {
			return nil, err
		}
		return r.relation(RelID(ref.id))
	})
}

// findOne is a batch read of one id (find) that says NotFound, naming the
// kind, where the batch says nil.
func findOne[T any](id, kind string, find func([]string) ([]*T, error)) (*T, error) {
	out, err := find([]string{id})
	if err != nil {
		return nil, err
	}
	if out[0] == nil {
		return nil, &Error{Code: NotFound, Record: id, Message: fmt.Sprintf("no %s %q", kind, id)}
	}
	return out[0], nil
}

// findByIDs reads the record of each id with read (nil for none), all
// from one snapshot.
func findByIDs[T any](ctx context.Context, s *Store, ids []string, ro ReadOptions, read func(*Reader, string) (*T, error)) ([]*T, error) {
	tx, sch, err := s.snapshot(ctx, ro)
	if err != nil {
		return nil, err
	}
	r := s.reader(ctx, tx, sch)
	defer r.close()
	out := make([]*T, len(ids))
	for i, id := range ids {
		if out[i], err = read(r, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func encodeCursor(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func decodeCursor(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, &Error{Code: Invalid, Field: "after", Message: fmt.Sprintf("invalid cursor %q", s)}
	}
	return b, nil
}

// pageArgs reads a page's size (first, DefaultPageSize when nil) and the
// cursor it continues after (nil when after is empty).
func pageArgs(first *int, after string) (int, []byte, error) {
	n, err := SizeOr(first, DefaultPageSize, "first")
	if err != nil {
		return 0, nil, err
	}
	if after == "" {
		return n, nil, nil
	}
	b, err := decodeCursor(after)
	if err != nil {
		return 0, nil, err
	}
	return n, b, nil
}

// FindEntities pages through entities in id order, filtered by type
// (subtypes included). A cursor is the position of its entity (its id), so
// it stays valid whatever changes. TotalCount counts every entity of the
// types. With Where or OrderBy, see findEntitiesWhere. Errors: Invalid
// for an unknown type, a negative First, a cursor that is not one, or an
// ill-typed filter or order.
func (s *Store) FindEntities(ctx context.Context, f EntityFilter, ro ReadOptions) (EntityPage, error) {
	first, after, err := pageArgs(f.First, f.After)
	if err != nil {
		return EntityPage{}, err
	}
	if len(f.Where) > 0 || len(f.OrderBy) > 0 {
		return s.findEntitiesWhere(ctx, f, first, after, ro)
	}
	tx, sch, err := s.snapshot(ctx, ro)
	if err != nil {
		return EntityPage{}, err
	}
	defer tx.Discard()
	set, err := sch.entityTypeSet(f.Types, "types")
	if err != nil {
		return EntityPage{}, err
	}
	var types []TypeID
	for _, ti := range sch.types {
		if ti != nil && !ti.relation && (set == nil || set[ti.id]) {
			types = append(types, ti.id)
		}
	}
	page := EntityPage{HasPrevious: after != nil}
	// Merge the type index of each type, which is in id order: the
	// smallest id among the types' next entries comes next.
	type head struct {
		it  kv.Iterator
		ext string
		n   NodeID
	}
	var heads []*head
	defer func() {
		for _, h := range heads {
			h.it.Close()
		}
	}()
	advance := func(h *head) (bool, error) {
		if !h.it.Valid() {
			return false, nil
		}
		_, ext, err := parseTypeIdxKey(h.it.Key())
		if err != nil {
			return false, err
		}
		v, err := h.it.Value()
		if err != nil {
			return false, fmt.Errorf("read type index: %w", err)
		}
		n, err := parseUint64(v)
		if err != nil {
			return false, err
		}
		h.ext, h.n = ext, NodeID(n)
		return true, nil
	}
	for _, t := range types {
		c, err := readCounter(tx, typeCountKey(t))
		if err != nil {
			return EntityPage{}, err
		}
		if c == 0 {
			continue
		}
		page.TotalCount += int(c)
		p := typeIdxPrefix(t)
		it := tx.Iterate(kv.IterOptions{Prefix: p, KeysOnly: true})
		h := &head{it: it}
		heads = append(heads, h)
		// A date filter counts its matches before the cursor too.
		if after != nil && !f.hasValidity() {
			it.Seek(append(append(bytes.Clone(p), after...), 0))
		} else {
			it.Rewind()
		}
	}
	var live []*head
	for _, h := range heads {
		ok, err := advance(h)
		if err != nil {
			return EntityPage{}, err
		}
		if ok {
			live = append(live, h)
		}
	}
	r := s.reader(ctx, tx, sch)
	valid, err := f.validity()
	if err != nil {
		return EntityPage{}, err
	}
	if valid != nil {
		// The counters count every entity; a date filter counts its
		// matches as it reads them, to the end of the types.
		page.TotalCount = 0
	}
	var nodes []NodeID
scan:
	for len(live) > 0 {
		sort.Slice(live, func(i, j int) bool { return live[i].ext < live[j].ext })
		h := live[0]
		keep := true
		if valid != nil {
			if keep, err = valid.keeps(r, h.n); err != nil {
				return EntityPage{}, err
			}
			if keep {
				page.TotalCount++
			}
		}
		switch {
		case keep && after != nil && valid != nil && h.ext <= string(after):
			// Counted, before the page.
		case keep && len(nodes) == first:
			page.HasNext = true
			if valid == nil {
				break scan
			}
		case keep:
			nodes = append(nodes, h.n)
			page.Cursors = append(page.Cursors, encodeCursor([]byte(h.ext)))
		}
		h.it.Next()
		ok, err := advance(h)
		if err != nil {
			return EntityPage{}, err
		}
		if !ok {
			live = live[1:]
		}
	}
	page.Entities = make([]*Entity, len(nodes))
	for i, n := range nodes {
		if page.Entities[i], err = r.entity(n); err != nil {
			return EntityPage{}, err
		}
		if page.Entities[i] == nil {
			return EntityPage{}, fmt.Errorf("type index names node %d, which has no body", n)
		}
	}
	return page, nil
}

// relationFilter compiles a RelationFilter and finds the entity it starts
// from, or returns a NotFound error.
func relationFilter(r *Reader, id string, f RelationFilter) (NodeID, *EdgeFilter, error) {
	n, err := r.LookupEntity(id)
	if err != nil {
		return 0, nil, err
	}
	ef, err := r.Filter(f.Types, f.Direction, f.ValidAt, f.EntityTypes)
	if err != nil {
		return 0, nil, err
	}
	if err := ef.restrictDuring(f.During); err != nil {
		return 0, nil, err
	}
	if f.DatedOnly {
		ef.RestrictDatedOnly()
	}
	return n, ef, nil
}

// FindRelations pages through the relations of entity id (NotFound when it
// does not exist), with the entity at the other end of each. The order is
// that of the adjacency keys: outgoing before incoming, then by relation
// type, other end and relation, in internal ids; a cursor is the position
// of its adjacency key, so it stays valid while the data it points past is
// unchanged. TotalCount counts every match. With Where, NeighborWhere or
// OrderBy, or without id (every relation of f.Types, which it then needs),
// see findRelationsWhere. Errors: Invalid for unknown types, a negative
// First, a bad cursor or an ill-typed filter.
func (s *Store) FindRelations(ctx context.Context, id string, f RelationFilter, ro ReadOptions) (RelationPage, error) {
	if id == "" || f.wantsWhere() {
		return s.findRelationsWhere(ctx, id, f, ro)
	}
	first, after, err := pageArgs(f.First, f.After)
	if err != nil {
		return RelationPage{}, err
	}
	if after != nil {
		if _, ok := parseAdjKey(after); !ok {
			return RelationPage{}, &Error{Code: Invalid, Field: "after", Message: fmt.Sprintf("invalid cursor %q", f.After)}
		}
	}
	var page RelationPage
	err = s.View(ctx, ro, func(r *Reader) error {
		n, ef, err := relationFilter(r, id, f)
		if err != nil {
			return err
		}
		if after != nil {
			if e, _ := parseAdjKey(after); e.self != n {
				return &Error{Code: Invalid, Field: "after", Message: "the cursor belongs to another entity's relations"}
			}
		}
		// The total needs a full count; the page, the entries after the
		// cursor.
		err = r.Edges(n, ef, func(Edge) error { page.TotalCount++; return nil })
		if err != nil {
			return err
		}
		var edges []Edge
		w := r.acquire()
		defer w.release()
		err = r.scanEdges(w, n, ef, after, func(e Edge) error {
			if len(edges) == first {
				page.HasNext = true
				return errStop
			}
			edges = append(edges, e)
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return err
		}
		page.HasPrevious = after != nil
		rels := make([]RelID, len(edges))
		others := make([]NodeID, len(edges))
		for i, e := range edges {
			rels[i], others[i] = e.Relation, e.Other
			d := pOut
			if !e.Outgoing {
				d = pIn
			}
			page.Cursors = append(page.Cursors, encodeCursor(adjKey(nil, d, n, e.Type, e.Other, e.Relation)))
			page.Directions = append(page.Directions, directionOf(e))
			page.Labels = append(page.Labels, r.RelationLabel(e.Type, e.Outgoing))
		}
		if page.Relations, err = r.Relations(rels); err != nil {
			return err
		}
		page.Neighbors, err = r.Entities(others)
		return err
	})
	if err != nil {
		return RelationPage{}, err
	}
	return page, nil
}

// Degree counts the relations of entity id that match f (First and After
// are ignored). Errors: NotFound for an unknown entity, Invalid for unknown
// types.
func (s *Store) Degree(ctx context.Context, id string, f RelationFilter, ro ReadOptions) (int, error) {
	var d int
	err := s.View(ctx, ro, func(r *Reader) error {
		n, ef, err := relationFilter(r, id, f)
		if err != nil {
			return err
		}
		return r.Edges(n, ef, func(Edge) error { d++; return nil })
	})
	return d, err
}
