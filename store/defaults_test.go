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
	t.Run("ShortestPath", func(t *testing.T) {
		p, err := s.ShortestPath(ctx, "onno", "enschede", PathOptions{MaxDepth: zero}, ReadOptions{})
		if err != nil || p != nil {
			t.Errorf("got %v, %v; want no path within 0 edges", p, err)
		}
		p, err = s.ShortestPath(ctx, "onno", "onno", PathOptions{MaxDepth: zero}, ReadOptions{})
		if err != nil || p == nil || len(p.Edges) != 0 {
			t.Errorf("from an entity to itself: got %v, %v; want the path of no edge", p, err)
		}
	})
	t.Run("KShortestPaths", func(t *testing.T) {
		res, err := s.KShortestPaths(ctx, "onno", "enschede", zero, PathOptions{}, ReadOptions{})
		if err != nil || len(res.Paths) != 0 {
			t.Errorf("got %d paths, %v; want none", len(res.Paths), err)
		}
		if _, err := s.KShortestPaths(ctx, "onno", "atlantis", zero, PathOptions{}, ReadOptions{}); ErrorCode(err) != NotFound {
			t.Errorf("a missing end: got %v, want NOT_FOUND", err)
		}
	})
	t.Run("AllPaths", func(t *testing.T) {
		for _, to := range []string{"enschede", "onno"} {
			res, err := s.AllPaths(ctx, "onno", to, zero, PathOptions{}, ReadOptions{})
			if err != nil || len(res.Paths) != 0 || !res.Truncated {
				t.Errorf("to %s: got %d paths, truncated %v, %v; want none, truncated", to, len(res.Paths), res.Truncated, err)
			}
		}
	})
	t.Run("CommonNeighbors", func(t *testing.T) {
		es, err := s.CommonNeighbors(ctx, []string{"dalian", "palo-alto"}, RelationFilter{First: zero}, ReadOptions{})
		if err != nil || len(es) != 0 {
			t.Errorf("got %d, %v; want none", len(es), err)
		}
	})
	t.Run("Centrality", func(t *testing.T) {
		res, err := s.Centrality(ctx, CentralityOptions{First: zero}, ReadOptions{})
		if err != nil || len(res.Ranking) != 0 || res.Nodes == 0 {
			t.Errorf("got %d ranked of %d, %v; want none ranked of all", len(res.Ranking), res.Nodes, err)
		}
	})
}
