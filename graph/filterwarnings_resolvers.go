package graph

import (
	"context"

	"github.com/ties-graph/ties/store"
)

// The resolvers that take a where argument call these once their answer
// is known: each does nothing unless the answer is empty, and then finds
// the kinds a filtered property holds where the answer looked.

// kindsSample bounds the records read again, without the filter, to
// learn the kinds around one entity (its relations or neighbours).
const kindsSample = 1000

// warnEmptyEntities advises on an empty Query.entities (or, with
// relations, Query.relations without an id) over the types: the kinds
// come from the store, from the property index where there is one.
func (r *Resolver) warnEmptyEntities(ctx context.Context, where []store.PropertyFilter, relations bool, types []string, total int) {
	if total > 0 || len(where) == 0 {
		return
	}
	warnFilterKinds(ctx, where, relations, func(key string) (kindSet, int, bool, error) {
		pk, err := r.store.PropertyKinds(ctx, store.PropertyKindsQuery{Relations: relations, Types: types, Key: key}, readAt(ctx))
		return kindsOf(pk.Kinds), pk.Read, pk.Complete, err
	})
}

// warnEmptyAround advises on an empty Entity.neighbors (f.NeighborWhere)
// or Entity.relations (f.Where) of id: the kinds are those of the first
// kindsSample neighbours or relations the filter dropped.
func (r *Resolver) warnEmptyAround(ctx context.Context, id string, f store.RelationFilter, total int) {
	where, relations := f.NeighborWhere, false
	if len(f.Where) > 0 {
		where, relations = f.Where, true
	}
	if total > 0 || len(where) == 0 || len(mismatchedFilters(where, relations)) == 0 {
		return
	}
	// In a list (the neighbors of each of a page of entities), the first
	// entity whose sample holds the properties answers for the field.
	done := "around:" + fieldKey(ctx)
	if asked(ctx, done) {
		return
	}
	all := f
	all.Where, all.NeighborWhere, all.OrderBy, all.OrderNeighbors, all.After = nil, nil, nil, false, ""
	all.First = new(kindsSample)
	page, err := r.store.FindRelations(ctx, id, all, readAt(ctx))
	if err != nil {
		return // advice only
	}
	kinds := func(key string) (kindSet, int, bool, error) {
		var ks kindSet
		if relations {
			for _, rel := range page.Relations {
				ks.addValue(rel.Properties[key])
			}
			return ks, len(page.Relations), !page.HasNext, nil
		}
		for _, e := range page.Neighbors {
			if e != nil {
				ks.addValue(e.Properties[key])
			}
		}
		return ks, len(page.Neighbors), !page.HasNext, nil
	}
	for _, i := range mismatchedFilters(where, relations) {
		if ks, _, _, _ := kinds(where[i].Key); ks != 0 {
			firstAsk(ctx, done)
			warnFilterKinds(ctx, where, relations, kinds)
			return
		}
	}
}

// neighborhoodKinds notes, before a neighbourhood's nodes are filtered,
// the kinds its nodes other than the start hold under the keys of where,
// and returns the function that advises on the filtered subgraph g when
// it kept the start alone.
func neighborhoodKinds(where []store.PropertyFilter, g *store.Subgraph) func(ctx context.Context, g *store.Subgraph) {
	idx := mismatchedFilters(where, false)
	if len(idx) == 0 || len(g.Nodes) <= 1 {
		return func(context.Context, *store.Subgraph) {}
	}
	kinds := map[string]kindSet{}
	for _, i := range idx {
		key := where[i].Key
		if _, ok := kinds[key]; ok {
			continue
		}
		var ks kindSet
		for _, e := range g.Nodes[1:] {
			ks.addValue(e.Properties[key])
		}
		kinds[key] = ks
	}
	read := len(g.Nodes) - 1
	return func(ctx context.Context, g *store.Subgraph) {
		if len(g.Nodes) > 1 {
			return
		}
		warnFilterKinds(ctx, where, false, func(key string) (kindSet, int, bool, error) {
			return kinds[key], read, true, nil
		})
	}
}
