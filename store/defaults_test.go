package store

import (
	"context"
	"testing"
)

// TestSizeZero checks that a size option given as 0 asks for nothing, not
// for the default, while the query still checks its arguments and says
// what it left out.
func TestSizeZero(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	zero := new(0)
	t.Run("FindEntities", func(t *testing.T) {
		p, err := s.FindEntities(ctx, EntityFilter{First: zero}, ReadOptions{})
		if err != nil || len(p.Entities) != 0 || !p.HasNext || p.TotalCount == 0 {
			t.Errorf("got %d entities, hasNext %v, total %d, %v; want none, true, all counted", len(p.Entities), p.HasNext, p.TotalCount, err)
		}
	})
	t.Run("FindRelations", func(t *testing.T) {
		p, err := s.FindRelations(ctx, "enschede", RelationFilter{First: zero}, ReadOptions{})
		if err != nil || len(p.Relations) != 0 || !p.HasNext || p.TotalCount == 0 {
			t.Errorf("got %d relations, hasNext %v, total %d, %v; want none, true, all counted", len(p.Relations), p.HasNext, p.TotalCount, err)
		}
	})
	t.Run("Search", func(t *testing.T) {
		hits, err := s.Search(ctx, "enschede", nil, zero, ReadOptions{})
		if err != nil || len(hits) != 0 {
			t.Errorf("got %d hits, %v; want none", len(hits), err)
		}
	})
	t.Run("Neighborhood", func(t *testing.T) {
		g, err := s.Neighborhood(ctx, "enschede", NeighborhoodOptions{Depth: 1, Limit: zero}, ReadOptions{})
		if err != nil || len(g.Nodes) != 0 || len(g.Edges) != 0 || !g.Truncated {
			t.Errorf("got %+v, %v; want no node, truncated", g, err)
		}
		if _, err := s.Neighborhood(ctx, "atlantis", NeighborhoodOptions{Limit: zero}, ReadOptions{}); ErrorCode(err) != NotFound {
			t.Errorf("a missing start: got %v, want NOT_FOUND", err)
		}
	})
}
