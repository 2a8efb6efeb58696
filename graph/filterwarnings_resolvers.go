package graph

import (
	"context"
	"fmt"

	"github.com/ties-graph/ties/store"
)

// The resolvers that take a where argument call these once their answer
// is known: each does nothing unless the answer is empty, and then finds
// the kinds a filtered property holds where the answer looked.

// kindsSample bounds the records read again, without the filter, to
// learn the kinds around one entity (its relations or neighbours).
const kindsSample = 1000

// warnEmptyEntities advises on an empty Query.entities or facets (or,
// with relations, Query.relations without an id or relationFacets) over
// the types: the kinds come from the store, from the property index
// where there is one.
func (r *Resolver) warnEmptyEntities(ctx context.Context, where []store.PropertyFilter, relations bool, types []string, total int) {
	if total > 0 || len(where) == 0 {
		return
	}
	warnFilterKinds(ctx, where, relations, func(key string) (kindSet, int, bool, error) {
		pk, err := r.store.PropertyKinds(ctx, store.PropertyKindsQuery{Relations: relations, Types: types, Key: key}, readAt(ctx))
		return kindsOf(pk.Kinds), pk.Read, pk.Complete, err
	})
}

// warnEmptySearch advises on an empty Query.search with where: the
// kinds are those of the first kindsSample hits of the search without
// the filter, the names it matched before the filter dropped them; a
// text that matched no name has none, and no advice.
func (r *Resolver) warnEmptySearch(ctx context.Context, text string, types []string, where []store.PropertyFilter, found int) {
	if found > 0 || len(where) == 0 {
		return
	}
	var hits []store.SearchHit
	var err error
	searched := false
	warnFilterKinds(ctx, where, false, func(key string) (kindSet, int, bool, error) {
		if !searched {
			searched = true
			hits, err = r.store.Search(ctx, text, types, new(kindsSample), readAt(ctx))
		}
		if err != nil {
			return 0, 0, false, err
		}
		var ks kindSet
		for _, h := range hits {
			ks.addValue(h.Entity.Properties[key])
		}
		return ks, len(hits), len(hits) < kindsSample, nil
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

// neighborhoodAdvice advises on a filtered neighbourhood that kept the
// start alone, from the kinds its other nodes held before the filter.
// It gathers them only then, not for every filtered neighbourhood: what
// it keeps is the node slice from before the filter. FilterSubgraph
// compacts the nodes in place, but an answer that kept the start alone
// wrote only the first slot, which held the start already, so the rest
// are still the nodes it dropped (as they would be were the filter to
// allocate a slice of its own).
type neighborhoodAdvice struct {
	where  []store.PropertyFilter
	before []*store.Entity // the start first
	// gathered counts the keys whose kinds were gathered.
	gathered int
}

// newNeighborhoodAdvice keeps what advice on g filtered by where needs;
// call it before the filter.
func newNeighborhoodAdvice(where []store.PropertyFilter, g *store.Subgraph) neighborhoodAdvice {
	return neighborhoodAdvice{where: where, before: g.Nodes}
}

// warn advises on g, filtered, when it kept the start alone.
func (a *neighborhoodAdvice) warn(ctx context.Context, g *store.Subgraph) {
	if len(g.Nodes) > 1 || len(a.before) <= 1 || len(mismatchedFilters(a.where, false)) == 0 {
		return
	}
	others := a.before[1:]
	warnFilterKinds(ctx, a.where, false, func(key string) (kindSet, int, bool, error) {
		a.gathered++
		var ks kindSet
		for _, e := range others {
			ks.addValue(e.Properties[key])
		}
		return ks, len(others), true, nil
	})
}

// codeUnknownID is the code of the warning that entity(id:) came back null
// for an id that is an entity's name, alias or label, or its id in other
// case, or one typo away from one: null is the answer, but an analyst who
// typed "Enschede" where the id "enschede" belongs was left to guess why.
const codeUnknownID = "UNKNOWN_ID"

// warnUnknownEntity advises on a null Query.entity or Query.node: it
// names the entities id most likely means, as a relation's missing end
// does in an error. Each id is looked up once per response, and only when
// the response collects warnings.
func (r *Resolver) warnUnknownEntity(ctx context.Context, id string) {
	if !firstAsk(ctx, "entity-meant\x00"+id) {
		return
	}
	meant, err := r.store.EntitiesMeant(ctx, id, readAt(ctx))
	if err != nil || len(meant) == 0 {
		return // advice only: the answer stands without it
	}
	addWarning(ctx, codeUnknownID, fmt.Sprintf("no entity %q", id)+store.DidYouMean(meant))
}
