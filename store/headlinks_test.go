package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

// TestNeighborhoodHeadsLinks requires HeadOptions.Links to give the
// relations of Edges, in the same order, by reference.
func TestNeighborhoodHeadsLinks(t *testing.T) {
	ctx := context.Background()
	for _, cache := range []int{-1, 0} {
		t.Run(fmt.Sprintf("cache=%d", cache), func(t *testing.T) {
			s, err := store.Open(t.TempDir(), store.Options{CacheSize: int64(cache)})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			cfg := gen.Config{Seed: 5, Relations: 3000}
			if _, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"}); err != nil {
				t.Fatal(err)
			}
			plan, err := gen.NewPlan(cfg)
			if err != nil {
				t.Fatal(err)
			}
			cases := []store.NeighborhoodOptions{
				{Depth: 1}, {Depth: 2}, {Depth: 3, Limit: new(60)}, {Depth: 2, Direction: store.In},
				{Depth: 2, Types: []string{"WORKS_FOR", "MEMBER_OF"}}, {Depth: 2, ValidAt: store.MustParseDate("2015")},
			}
			for i := range 30 {
				id := plan.EntityID(i * 41 % plan.Entities)
				for _, o := range cases {
					for _, ids := range []bool{false, true} {
						want, err := s.NeighborhoodHeads(ctx, id, o, store.HeadOptions{Edges: true, RelationIDs: ids}, store.ReadOptions{})
						if err != nil {
							t.Fatal(err)
						}
						got, err := s.NeighborhoodHeads(ctx, id, o, store.HeadOptions{Edges: true, RelationIDs: ids, Links: true}, store.ReadOptions{})
						if err != nil {
							t.Fatal(err)
						}
						where := fmt.Sprintf("%s %+v ids %v", id, o, ids)
						if len(got.Edges) != 0 || len(got.Links) != len(want.Edges) || got.Truncated != want.Truncated || len(got.Nodes) != len(want.Nodes) {
							t.Fatalf("%s: got %d edges, %d links, %d nodes, truncated %v; want 0, %d, %d, %v", where,
								len(got.Edges), len(got.Links), len(got.Nodes), got.Truncated, len(want.Edges), len(want.Nodes), want.Truncated)
						}
						if ids != (len(got.LinkIDs) == len(got.Links)) && len(got.Links) > 0 {
							t.Fatalf("%s: %d link ids for %d links", where, len(got.LinkIDs), len(got.Links))
						}
						for j, l := range got.Links {
							h := store.RelationHead{Type: got.LinkTypes[l.Type], From: got.Nodes[l.From].ID, To: got.Nodes[l.To].ID,
								ValidFrom: l.ValidFrom, ValidTo: l.ValidTo}
							if ids {
								h.ID = got.LinkIDs[j]
							}
							if h != want.Edges[j] {
								t.Fatalf("%s: link %d: got %+v, want %+v", where, j, h, want.Edges[j])
							}
						}
					}
				}
			}
		})
	}
}
