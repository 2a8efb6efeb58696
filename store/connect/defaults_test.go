package connect

import (
	"context"
	"testing"

	"github.com/ties-graph/ties/store"
)

// TestSizeZero checks that a size option given as 0 asks for nothing, not
// for the default, while the query still checks its arguments and says
// what it left out.
func TestSizeZero(t *testing.T) {
	ctx := context.Background()
	// a - b - c, and d - b: b is the common neighbour of a and c.
	s := drawStore(t, "a LINK b\nb LINK c\nd LINK b")
	zero := new(0)
	t.Run("ShortestPath", func(t *testing.T) {
		p, err := viewShortestPath(ctx, s, "a", "c", store.PathOptions{MaxDepth: zero}, store.ReadOptions{})
		if err != nil || p != nil {
			t.Errorf("got %v, %v; want no path within 0 edges", p, err)
		}
		p, err = viewShortestPath(ctx, s, "a", "a", store.PathOptions{MaxDepth: zero}, store.ReadOptions{})
		if err != nil || p == nil || len(p.Edges) != 0 {
			t.Errorf("from an entity to itself: got %v, %v; want the path of no edge", p, err)
		}
	})
	t.Run("KShortestPaths", func(t *testing.T) {
		res, err := viewKShortestPaths(ctx, s, "a", "c", zero, store.PathOptions{}, store.ReadOptions{})
		if err != nil || len(res.Paths) != 0 {
			t.Errorf("got %d paths, %v; want none", len(res.Paths), err)
		}
		if _, err := viewKShortestPaths(ctx, s, "a", "atlantis", zero, store.PathOptions{}, store.ReadOptions{}); store.ErrorCode(err) != store.NotFound {
			t.Errorf("a missing end: got %v, want NOT_FOUND", err)
		}
	})
	t.Run("AllPaths", func(t *testing.T) {
		for _, to := range []string{"c", "a"} {
			res, err := viewAllPaths(ctx, s, "a", to, zero, store.PathOptions{}, store.ReadOptions{})
			if err != nil || len(res.Paths) != 0 || !res.Truncated {
				t.Errorf("to %s: got %d paths, truncated %v, %v; want none, truncated", to, len(res.Paths), res.Truncated, err)
			}
		}
	})
	t.Run("CommonNeighbors", func(t *testing.T) {
		es, err := viewCommonNeighbors(ctx, s, []string{"a", "c"}, store.RelationFilter{First: zero}, store.ReadOptions{})
		if err != nil || len(es) != 0 {
			t.Errorf("got %d, %v; want none", len(es), err)
		}
	})
	t.Run("Centrality", func(t *testing.T) {
		res, err := viewCentrality(ctx, s, store.CentralityOptions{First: zero}, store.ReadOptions{})
		if err != nil || len(res.Ranking) != 0 || res.Nodes == 0 {
			t.Errorf("got %d ranked of %d, %v; want none ranked of all", len(res.Ranking), res.Nodes, err)
		}
	})
}
