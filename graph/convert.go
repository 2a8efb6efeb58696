package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ties-graph/ties/graph/model"
	"github.com/ties-graph/ties/store"
)

// deref returns *p, or def when p is nil.
func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// readAt returns the read options of the field ctx belongs to: its own
// asOf argument or that of the nearest enclosing field.
func readAt(ctx context.Context) store.ReadOptions {
	return readOptions(inheritedAsOf(ctx))
}

// prime puts entities the resolver already holds into the request's
// entity loader, so that the fields below it (a relation's from and to, a
// path's nodes) cost no further read.
func prime(ctx context.Context, es ...*store.Entity) {
	l := loadersFor(ctx)
	if l == nil {
		return
	}
	asOf := inheritedAsOf(ctx)
	for _, e := range es {
		if e != nil {
			l.entities.Prime(loadKey{id: e.ID, asOf: asOf}, e)
		}
	}
}

// loadEntity reads one entity through the request's loader; a missing one
// is a NotFound error naming what pointed at it.
func loadEntity(ctx context.Context, st *store.Store, id, what string) (*store.Entity, error) {
	var (
		e   *store.Entity
		err error
	)
	if l := loadersFor(ctx); l != nil {
		e, err = l.entities.Load(ctx, loadKey{id: id, asOf: inheritedAsOf(ctx)})
	} else {
		e, err = st.FindEntityByID(ctx, id, readAt(ctx))
	}
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, store.Errorf(store.NotFound, "%s %q does not exist", what, id)
	}
	return e, nil
}

// batched reports whether root lookups by id should go through the
// request's loaders: only when the operation asks for several root fields
// (aliased lookups, which then cost one read), since a loader waits a
// moment to collect keys and a lone lookup would pay that wait for nothing.
func batched(ctx context.Context) bool {
	oc := graphql.GetOperationContext(ctx)
	return oc != nil && oc.Operation != nil && len(oc.Operation.SelectionSet) > 1 && loadersFor(ctx) != nil
}

// lookupEntity returns the entity with id, or nil when there is none.
func (r *Resolver) lookupEntity(ctx context.Context, id string) (*store.Entity, error) {
	if batched(ctx) {
		return loadersFor(ctx).entities.Load(ctx, loadKey{id: id, asOf: inheritedAsOf(ctx)})
	}
	e, err := r.store.FindEntityByID(ctx, id, readAt(ctx))
	if store.ErrorCode(err) == store.NotFound {
		return nil, nil
	}
	return e, err
}

// lookupRelation returns the relation with id, or nil when there is none.
func (r *Resolver) lookupRelation(ctx context.Context, id string) (*store.Relation, error) {
	if batched(ctx) {
		return loadersFor(ctx).relations.Load(ctx, loadKey{id: id, asOf: inheritedAsOf(ctx)})
	}
	rel, err := r.store.FindRelationByID(ctx, id, readAt(ctx))
	if store.ErrorCode(err) == store.NotFound {
		return nil, nil
	}
	return rel, err
}

// pageInfo builds the Relay page info of a page with these cursors.
func pageInfo(cursors []string, hasNext, hasPrevious bool) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrevious}
	if len(cursors) > 0 {
		pi.StartCursor = &cursors[0]
		pi.EndCursor = &cursors[len(cursors)-1]
	}
	return pi
}

// relationConnection turns a store page into a Relay connection.
func relationConnection(p store.RelationPage) *model.RelationConnection {
	c := &model.RelationConnection{
		Edges:      make([]*model.RelationEdge, len(p.Relations)),
		Nodes:      p.Relations,
		PageInfo:   pageInfo(p.Cursors, p.HasNext, p.HasPrevious),
		TotalCount: p.TotalCount,
	}
	for i, rel := range p.Relations {
		c.Edges[i] = &model.RelationEdge{Cursor: p.Cursors[i], Node: rel, Neighbor: p.Neighbors[i], Direction: p.Directions[i], Label: p.Labels[i]}
	}
	return c
}

// neighborConnection turns a store page of relations into a Relay
// connection of the entities at their other ends.
func neighborConnection(p store.RelationPage) *model.EntityConnection {
	c := &model.EntityConnection{
		Edges:      make([]*model.EntityEdge, len(p.Neighbors)),
		Nodes:      p.Neighbors,
		PageInfo:   pageInfo(p.Cursors, p.HasNext, p.HasPrevious),
		TotalCount: p.TotalCount,
	}
	for i, e := range p.Neighbors {
		c.Edges[i] = &model.EntityEdge{Cursor: p.Cursors[i], Node: e, Relation: p.Relations[i], Relations: p.Relations[i : i+1]}
	}
	return c
}

// entityConnection turns a store page of entities into a Relay connection.
func entityConnection(p store.EntityPage) *model.EntityConnection {
	c := &model.EntityConnection{
		Edges:      make([]*model.EntityEdge, len(p.Entities)),
		Nodes:      p.Entities,
		PageInfo:   pageInfo(p.Cursors, p.HasNext, p.HasPrevious),
		TotalCount: p.TotalCount,
	}
	for i, e := range p.Entities {
		c.Edges[i] = &model.EntityEdge{Cursor: p.Cursors[i], Node: e}
	}
	return c
}

// pathOptions gathers the filters of the path queries.
func pathOptions(types []string, direction *store.Direction, maxDepth *int, validAt *store.Date, datedOnly *bool, entityTypes []string, weight *string) store.PathOptions {
	return store.PathOptions{
		Types: types, Direction: deref(direction, store.Both), ValidAt: deref(validAt, store.Date{}), DatedOnly: deref(datedOnly, false),
		EntityTypes: entityTypes, MaxDepth: maxDepth, Weight: deref(weight, ""),
	}
}

// relationPage reads one page of an entity's relations with the entity at
// the other end of each, primes the loader with those entities, and is
// shared by Entity.relations and Entity.neighbors, which differ only in
// the connection they build from it.
func (r *Resolver) relationPage(ctx context.Context, obj *store.Entity, types []string, direction *store.Direction, validAt *store.Date, during *store.DateRange, datedOnly *bool, entityTypes []string, first *int, after *string) (store.RelationPage, error) {
	page, err := r.store.FindRelations(ctx, obj.ID, store.RelationFilter{
		Types: types, Direction: deref(direction, store.Both), ValidAt: deref(validAt, store.Date{}),
		During: deref(during, store.DateRange{}), DatedOnly: deref(datedOnly, false), EntityTypes: entityTypes, First: first, After: deref(after, ""),
	}, readAt(ctx))
	if err != nil {
		return page, err
	}
	prime(ctx, obj)
	prime(ctx, page.Neighbors...)
	return page, nil
}

// selects reports whether the selection of the field being resolved, of
// type typeName, asks for any of the named fields (fragments included).
func selects(ctx context.Context, typeName string, names ...string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{typeName}) {
		if slices.Contains(names, f.Name) {
			return true
		}
	}
	return false
}
