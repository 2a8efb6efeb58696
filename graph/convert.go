package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

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
	return lookup(ctx, id, func(l *loaders) *dataloadgen.Loader[loadKey, *store.Entity] { return l.entities }, r.store.FindEntityByID)
}

// lookupRelation returns the relation with id, or nil when there is none.
func (r *Resolver) lookupRelation(ctx context.Context, id string) (*store.Relation, error) {
	return lookup(ctx, id, func(l *loaders) *dataloadgen.Loader[loadKey, *store.Relation] { return l.relations }, r.store.FindRelationByID)
}

// lookup returns the record with id, or nil when there is none: through
// the request's loader of its kind when lookups are batched, else with
// find.
func lookup[T any](ctx context.Context, id string, loader func(*loaders) *dataloadgen.Loader[loadKey, *T], find func(context.Context, string, store.ReadOptions) (*T, error)) (*T, error) {
	if batched(ctx) {
		return loader(loadersFor(ctx)).Load(ctx, loadKey{id: id, asOf: inheritedAsOf(ctx)})
	}
	x, err := find(ctx, id, readAt(ctx))
	if store.ErrorCode(err) == store.NotFound {
		return nil, nil
	}
	return x, err
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
	return entityConnectionOf(p.Neighbors, p.Cursors, p.HasNext, p.HasPrevious, p.TotalCount, func(i int, edge *model.EntityEdge) {
		edge.Relation, edge.Relations = p.Relations[i], p.Relations[i:i+1]
	})
}

// entityConnection turns a store page of entities into a Relay connection.
func entityConnection(p store.EntityPage) *model.EntityConnection {
	return entityConnectionOf(p.Entities, p.Cursors, p.HasNext, p.HasPrevious, p.TotalCount, nil)
}

// entityConnectionOf builds the Relay connection of a page of entities
// (each with its cursor, the page's flags and count); more, when not
// nil, fills in what else the edge of the i-th entity says, such as the
// relations that lead to it.
func entityConnectionOf(entities []*store.Entity, cursors []string, hasNext, hasPrevious bool, total int, more func(i int, edge *model.EntityEdge)) *model.EntityConnection {
	c := &model.EntityConnection{
		Edges:      make([]*model.EntityEdge, len(entities)),
		Nodes:      entities,
		PageInfo:   pageInfo(cursors, hasNext, hasPrevious),
		TotalCount: total,
	}
	for i, e := range entities {
		c.Edges[i] = &model.EntityEdge{Cursor: cursors[i], Node: e}
		if more != nil {
			more(i, c.Edges[i])
		}
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

// findRelations reads the page of obj's relations that f selects and
// primes the loader with obj and the entities at their other ends, which
// the edges' neighbours then read without another lookup.
func (r *Resolver) findRelations(ctx context.Context, obj *store.Entity, f store.RelationFilter) (store.RelationPage, error) {
	page, err := r.store.FindRelations(ctx, obj.ID, f, readAt(ctx))
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
