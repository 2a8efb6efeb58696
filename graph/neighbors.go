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
	c := &model.EntityConnection{
		Edges:      make([]*model.EntityEdge, len(p.Neighbors)),
		Nodes:      p.Neighbors,
		PageInfo:   pageInfo(p.Cursors, p.HasNext, p.HasPrevious),
		TotalCount: p.TotalCount,
	}
	for i, e := range p.Neighbors {
		c.Edges[i] = &model.EntityEdge{Cursor: p.Cursors[i], Node: e, Relation: p.Relations[i][0], Relations: p.Relations[i]}
	}
	return c, nil
}
