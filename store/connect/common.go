package connect

import (
	"cmp"
	"fmt"
	"github.com/ties-graph/ties/store"
	"slices"
)

// CommonNeighbors returns the entities tied to every one of ids under f:
// Types, ValidAt, EntityTypes (of the neighbour, subtypes included) and
// Direction, taken from each given entity (OUT: the given entity is the
// relation's from). The given entities themselves are never in the result.
// The result is in entity id order, at most f.First entities (default
// DefaultCommonLimit); f.After is ignored. It reads the neighbours of the entity
// with the fewest relations first, then narrows that set with each other
// one, so memory follows the smallest neighbourhood.
//
// Errors: an Invalid error for no ids, a negative First or an unknown type
// name; NotFound for an unknown id; Timeout when the request's deadline
// passes.
func CommonNeighbors(r *store.Reader, ids []string, f store.RelationFilter) (_ []*store.Entity, err error) {
	if len(ids) == 0 {
		return nil, store.FieldError("", "ids", "give at least one entity id")
	}
	first, err := store.SizeOr(f.First, store.DefaultCommonLimit, "first")
	if err != nil {
		return nil, err
	}
	var out []*store.Entity
	defer wrap(&err, "common neighbours of %v", ids)
	filter, err := filterOf(r, f.Types, f.Direction, f.ValidAt, f.DatedOnly, f.EntityTypes)
	if err != nil {
		return nil, err
	}
	b := newBudget(r.Context(), 0)
	given := make(map[store.NodeID]bool, len(ids))
	type member struct {
		n      store.NodeID
		degree int
	}
	var members []member
	for _, id := range ids {
		n, err := r.LookupEntity(id)
		if err != nil {
			return out, err
		}
		if given[n] {
			continue
		}
		given[n] = true
		m := member{n: n}
		err = r.Edges(n, filter, func(store.Edge) error {
			m.degree++
			return b.step()
		})
		if err != nil {
			return out, fmt.Errorf("count relations of %s: %w", id, err)
		}
		members = append(members, m)
	}
	slices.SortStableFunc(members, func(a, b member) int { return cmp.Compare(a.degree, b.degree) })

	var common map[store.NodeID]bool
	for _, m := range members {
		next := make(map[store.NodeID]bool)
		err := r.Edges(m.n, filter, func(e store.Edge) error {
			if !given[e.Other] && (common == nil || common[e.Other]) {
				next[e.Other] = true
			}
			return b.step()
		})
		if err != nil {
			return out, fmt.Errorf("neighbours of node %d: %w", m.n, err)
		}
		common = next
		if len(common) == 0 {
			return out, nil
		}
	}

	names := newEntityIDs(r)
	type named struct {
		n  store.NodeID
		id string
	}
	found := make([]named, 0, len(common))
	for n := range common {
		id, err := names.get(n)
		if err != nil {
			return out, err
		}
		found = append(found, named{n, id})
	}
	slices.SortFunc(found, func(a, b named) int { return cmp.Compare(a.id, b.id) })
	if len(found) > first {
		found = found[:first]
	}
	nodes := make([]store.NodeID, len(found))
	for i, x := range found {
		nodes[i] = x.n
	}
	if out, err = r.Entities(nodes); err != nil {
		return out, fmt.Errorf("read %d common neighbours: %w", len(nodes), err)
	}
	return out, nil
}
