package graph

import (
	"context"

	"github.com/ties-graph/ties/graph/model"
	"github.com/ties-graph/ties/store"
)

// distinctNeighbors answers Entity.neighbors(distinct: true): one edge
// per neighbouring entity with every relation joining them.
func (r *Resolver) distinctNeighbors(ctx context.Context, obj *store.Entity, f store.RelationFilter) (*model.EntityConnection, error) {
	p, err := r.store.FindNeighbors(ctx, obj.ID, f, readAt(ctx))
	if err != nil {
		return nil, err
	}
	prime(ctx, obj)
	prime(ctx, p.Neighbors...)
	r.warnEmptyAround(ctx, obj.ID, f, p.TotalCount)
	return entityConnectionOf(p.Neighbors, p.Cursors, p.HasNext, p.HasPrevious, p.TotalCount, func(i int, edge *model.EntityEdge) {
		edge.Relation, edge.Relations = p.Relations[i][0], p.Relations[i]
	}), nil
}
