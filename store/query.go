package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ties-graph/ties/store/kv"
)

// This file answers the lists that filter by property (where) or sort by
// anything but their natural order: every match is found (from a property
// index when one answers a filter, else by scanning the types), given its
// sort key (order.go), and the page is the matches after the cursor.

// ranked is one match of a list with its sort key.
type ranked struct {
	key []byte
	id  uint64 // NodeID or RelID
	// edge, for the relations of an entity.
	edge Edge
	// e is the entity body already read, so a page does not read it twice.
	e *Entity
}

// pageOf sorts items and returns the first of them after after (the key of
// the last item of the previous page), at most first, and whether more
// follow.
func pageOf(items []ranked, first int, after []byte) ([]ranked, bool) {
	slices.SortFunc(items, func(a, b ranked) int { return bytes.Compare(a.key, b.key) })
	if after != nil {
		i, _ := slices.BinarySearchFunc(items, after, func(a ranked, k []byte) int {
			if bytes.Compare(a.key, k) <= 0 {
				return -1
			}
			return 1
		})
		items = items[i:]
	}
	if len(items) > first {
		return items[:first], true
	}
	return items, false
}

// entityDegree counts every relation of n, for DEGREE orders.
func (r *Reader) entityDegree(n NodeID) (int, error) {
	f := compileFilter(r.sch, nil, Both, Date{}, nil)
	d := 0
	err := r.Edges(n, f, func(Edge) error { d++; return nil })
	return d, err
}

// findEntitiesWhere is FindEntities for a filtered or ordered list. The
// cursor is the sort key of the last entity of the page: its id in id
// order (the same cursor as the unfiltered list's), else the key of
// sortKey.
func (s *Store) findEntitiesWhere(ctx context.Context, f EntityFilter, first int, after []byte, ro ReadOptions) (EntityPage, error) {
	var page EntityPage
	err := s.View(ctx, ro, func(r *Reader) error {
		set, err := r.sch.entityTypeSet(f.Types, "types")
		if err != nil {
			return err
		}
		w, err := compileWhere(r.sch, f.Where, true, "where")
		if err != nil {
			return err
		}
		sk, err := orderFor(f.OrderBy, true, after)
		if err != nil {
			return err
		}
		valid, err := f.validity()
		if err != nil {
			return err
		}
		var items []ranked
		err = r.eachEntityMatch(set, w, func(n NodeID, t TypeID, e *Entity) error {
			if valid != nil && !valid.f.Holds(e.ValidFrom, e.ValidTo) {
				return nil
			}
			var key []byte
			if sk == nil {
				key = []byte(e.ID)
			} else {
				st := sortable{id: e.ID, name: e.Name, rec: entityRecord(e, t)}
				if sk.needs(OrderDegree) {
					if st.degree, err = r.entityDegree(n); err != nil {
						return err
					}
				}
				key = sk.key(st)
			}
			items = append(items, ranked{key: key, id: uint64(n), e: e})
			return nil
		})
		if err != nil {
			return err
		}
		page.TotalCount = len(items)
		items, page.HasNext = pageOf(items, first, after)
		page.HasPrevious = after != nil
		page.Entities = make([]*Entity, len(items))
		page.Cursors = make([]string, len(items))
		for i, it := range items {
			page.Entities[i] = it.e
			page.Cursors[i] = encodeCursor(it.key)
		}
		return nil
	})
	return page, err
}

// needs reports whether k orders by field f.
func (k *sortKey) needs(f OrderField) bool {
	for _, o := range k.orders {
		if o.By == f {
			return true
		}
	}
	return false
}

// entityTypesOf returns the entity types of set (all when nil).
func (sch *schema) entityTypesOf(set map[TypeID]bool) []TypeID {
	var out []TypeID
	for _, ti := range sch.types {
		if ti != nil && !ti.relation && (set == nil || set[ti.id]) {
			out = append(out, ti.id)
		}
	}
	return out
}

// relationTypesOf returns the relation types of set (all when nil).
func (sch *schema) relationTypesOf(set map[TypeID]bool) []TypeID {
	var out []TypeID
	for _, ti := range sch.types {
		if ti != nil && ti.relation && (set == nil || set[ti.id]) {
			out = append(out, ti.id)
		}
	}
	return out
}

// eachEntityMatch calls fn for every entity of the types of set (all when
// nil) for which w holds, reading candidates from a property index where
// one answers a condition of w (see propindex.go), else from the type
// index.
func (r *Reader) eachEntityMatch(set map[TypeID]bool, w where, fn func(n NodeID, t TypeID, e *Entity) error) error {
	for _, t := range r.sch.entityTypesOf(set) {
		err := r.eachCandidate(t, w, func(id uint64) error {
			e, err := r.entity(NodeID(id))
			if err != nil {
				return err
			}
			if e == nil {
				return fmt.Errorf("index names node %d, which has no body", id)
			}
			if !w.matches(entityRecord(e, t)) {
				return nil
			}
			return fn(NodeID(id), t, e)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// eachRelationMatch is eachEntityMatch for relations of the types of set,
// also keeping only those valid within valid.
func (r *Reader) eachRelationMatch(set map[TypeID]bool, valid *EdgeFilter, w where, fn func(id RelID, t TypeID, rel *Relation) error) error {
	for _, t := range r.sch.relationTypesOf(set) {
		err := r.eachCandidate(t, w, func(id uint64) error {
			rel, err := r.relation(RelID(id))
			if err != nil {
				return err
			}
			if rel == nil {
				return fmt.Errorf("index names relation %d, which has no body", id)
			}
			if (valid != nil && !valid.Holds(rel.ValidFrom, rel.ValidTo)) || !w.matches(relationRecord(rel, t)) {
				return nil
			}
			return fn(RelID(id), t, rel)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// eachTyped calls fn with the internal id of every entity or relation of
// type t, in external id order.
func eachTyped(tx kv.Txn, t TypeID, fn func(id uint64) error) error {
	it := tx.Iterate(kv.IterOptions{Prefix: typeIdxPrefix(t), KeysOnly: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			return fmt.Errorf("read type index: %w", err)
		}
		id, err := parseUint64(v)
		if err != nil {
			return err
		}
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

// wantsWhere reports whether FindRelations must take the path of
// findRelationsWhere.
func (f RelationFilter) wantsWhere() bool {
	return len(f.Where) > 0 || len(f.NeighborWhere) > 0 || len(f.OrderBy) > 0
}

// findRelationsWhere is FindRelations for a filtered or ordered list, or
// for the relations of given types when id is empty.
func (s *Store) findRelationsWhere(ctx context.Context, id string, f RelationFilter, ro ReadOptions) (RelationPage, error) {
	first, after, err := pageArgs(f.First, f.After)
	if err != nil {
		return RelationPage{}, err
	}
	var page RelationPage
	err = s.View(ctx, ro, func(r *Reader) error {
		if id == "" {
			return r.relationsOfTypes(f, first, after, &page)
		}
		return r.relationsWhere(id, f, first, after, &page)
	})
	if err != nil {
		return RelationPage{}, err
	}
	return page, nil
}

// relationsWhere pages through the relations of entity id under f.
func (r *Reader) relationsWhere(id string, f RelationFilter, first int, after []byte, page *RelationPage) error {
	n, ef, err := relationFilter(r, id, f)
	if err != nil {
		return err
	}
	w, nw, err := r.relationWheres(f)
	if err != nil {
		return err
	}
	sk, err := orderFor(f.OrderBy, true, after)
	if err != nil {
		return err
	}
	if sk == nil && after != nil {
		if e, ok := parseAdjKey(after); !ok || e.self != n {
			return &Error{Code: Invalid, Field: "after", Message: "the cursor belongs to another list"}
		}
	}
	var edges []Edge
	if err := r.Edges(n, ef, func(e Edge) error { edges = append(edges, e); return nil }); err != nil {
		return err
	}
	needOther := nw != nil || (sk != nil && (f.OrderNeighbors || sk.needs(OrderName) || sk.needs(OrderDegree)))
	needRel := w != nil || (sk != nil && !f.OrderNeighbors)
	var items []ranked
	for _, e := range edges {
		var rel *Relation
		var other *Entity
		if needRel {
			if rel, err = r.relation(e.Relation); err != nil {
				return err
			}
			if rel == nil {
				return fmt.Errorf("adjacency names relation %d, which has no body", e.Relation)
			}
			if !w.matches(relationRecord(rel, e.Type)) {
				continue
			}
		}
		if needOther {
			if other, err = r.entity(e.Other); err != nil {
				return err
			}
			if other == nil {
				return fmt.Errorf("adjacency names node %d, which has no body", e.Other)
			}
			if !nw.matches(entityRecord(other, e.OtherType)) {
				continue
			}
		}
		var key []byte
		if sk == nil {
			d := pOut
			if !e.Outgoing {
				d = pIn
			}
			key = adjKey(nil, d, n, e.Type, e.Other, e.Relation)
		} else {
			var st sortable
			if f.OrderNeighbors {
				st = sortable{id: other.ID, name: other.Name, rec: entityRecord(other, e.OtherType)}
				if rel, err = r.relation(e.Relation); err != nil {
					return err
				}
				st.tieID = rel.ID
			} else {
				st = sortable{id: rel.ID, rec: relationRecord(rel, e.Type)}
				if other != nil {
					st.name = other.Name
				}
			}
			if sk.needs(OrderDegree) {
				if st.degree, err = r.entityDegree(e.Other); err != nil {
					return err
				}
			}
			key = sk.key(st)
		}
		items = append(items, ranked{key: key, edge: e})
	}
	page.TotalCount = len(items)
	items, page.HasNext = pageOf(items, first, after)
	page.HasPrevious = after != nil
	rels := make([]RelID, len(items))
	others := make([]NodeID, len(items))
	for i, it := range items {
		rels[i], others[i] = it.edge.Relation, it.edge.Other
		page.Cursors = append(page.Cursors, encodeCursor(it.key))
		page.Directions = append(page.Directions, directionOf(it.edge))
		page.Labels = append(page.Labels, r.RelationLabel(it.edge.Type, it.edge.Outgoing))
	}
	if page.Relations, err = r.Relations(rels); err != nil {
		return err
	}
	page.Neighbors, err = r.Entities(others)
	return err
}

// relationsOfTypes pages through every relation of the types of f,
// without a start entity: in relation id order unless ordered, each with
// its to end as the neighbour.
func (r *Reader) relationsOfTypes(f RelationFilter, first int, after []byte, page *RelationPage) error {
	if len(f.Types) == 0 {
		return FieldError("", "types", "give the relation types to list, or the id of an entity whose relations to list")
	}
	if len(f.EntityTypes) > 0 {
		return FieldError("", "entityTypes", "entityTypes filters the other end of an entity's relations; give id, or filter with where")
	}
	if len(f.NeighborWhere) > 0 {
		return FieldError("", "where", "these relations have no other end to filter")
	}
	set, err := r.sch.relationTypeSet(f.Types, "types")
	if err != nil {
		return err
	}
	validity, err := EntityFilter{ValidAt: f.ValidAt, During: f.During, DatedOnly: f.DatedOnly}.validity()
	if err != nil {
		return err
	}
	var valid *EdgeFilter
	if validity != nil {
		valid = &validity.f
	}
	w, err := compileWhere(r.sch, f.Where, false, "where")
	if err != nil {
		return err
	}
	sk, err := orderFor(f.OrderBy, false, after)
	if err != nil {
		return err
	}
	var items []ranked
	err = r.eachRelationMatch(set, valid, w, func(id RelID, t TypeID, rel *Relation) error {
		key := []byte(rel.ID)
		if sk != nil {
			key = sk.key(sortable{id: rel.ID, rec: relationRecord(rel, t)})
		}
		items = append(items, ranked{key: key, id: uint64(id)})
		return nil
	})
	if err != nil {
		return err
	}
	page.TotalCount = len(items)
	items, page.HasNext = pageOf(items, first, after)
	page.HasPrevious = after != nil
	page.Relations = make([]*Relation, len(items))
	page.Neighbors = make([]*Entity, len(items))
	for i, it := range items {
		rel, err := r.relation(RelID(it.id))
		if err != nil {
			return err
		}
		to, ok, err := r.Lookup(rel.To)
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("relation " + rel.ID + " ends at a missing entity")
		}
		page.Relations[i] = rel
		if page.Neighbors[i], err = r.entity(to); err != nil {
			return err
		}
		page.Cursors = append(page.Cursors, encodeCursor(it.key))
		// Read from its from end, as the neighbour (its to end) implies.
		page.Directions = append(page.Directions, Out)
		page.Labels = append(page.Labels, rel.Type)
	}
	return nil
}

// orderFor is the sort key of orders (nil without any), checked against
// the cursor after, which must come from a list in the same order.
func orderFor(orders []Order, entities bool, after []byte) (*sortKey, error) {
	if len(orders) == 0 {
		return nil, nil
	}
	sk, err := newSortKey(orders, entities)
	if err != nil {
		return nil, err
	}
	if err := sk.checkCursor(after); err != nil {
		return nil, err
	}
	return sk, nil
}

// relationWheres compiles the filters of f on relations (Where) and on
// the entities at their other ends (NeighborWhere).
func (r *Reader) relationWheres(f RelationFilter) (w, nw where, err error) {
	if w, err = compileWhere(r.sch, f.Where, false, "where"); err != nil {
		return nil, nil, err
	}
	if nw, err = compileWhere(r.sch, f.NeighborWhere, true, "where"); err != nil {
		return nil, nil, err
	}
	return w, nw, nil
}
