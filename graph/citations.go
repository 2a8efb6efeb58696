package graph

import (
	"context"

	"github.com/ties-graph/ties/graph/model"
	"github.com/ties-graph/ties/store"
)

// citationConnection turns a store page of citations into a Relay
// connection, priming the entity loader with the citing entities.
func citationConnection(ctx context.Context, p store.CitationPage) *model.CitationConnection {
	c := &model.CitationConnection{
		Edges:      make([]*model.CitationEdge, len(p.Citations)),
		PageInfo:   pageInfo(p.Cursors, p.HasNext, p.HasPrevious),
		TotalCount: p.TotalCount,
	}
	for i := range p.Citations {
		ct := &p.Citations[i]
		var node model.Node = ct.Relation
		if ct.Entity != nil {
			node = ct.Entity
			prime(ctx, ct.Entity)
		}
		c.Edges[i] = &model.CitationEdge{Cursor: p.Cursors[i], Node: node, Source: &ct.Source}
	}
	return c
}
