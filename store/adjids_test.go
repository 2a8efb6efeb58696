package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

// TestNeighborhoodLinkIDs requires the relation ids of a neighbourhood read
// as links (the ids the cache keeps beside the adjacencies, adjids.go) to
// be those of the relations Neighborhood reads whole, in the same order:
// on the first walk, which reads the bodies, on the next ones, which read
// the ids the first added, after writes that delete, add and move
// relations, and as of a time before those writes.
func TestNeighborhoodLinkIDs(t *testing.T) {
	ctx := context.Background()
	for _, cache := range []int64{0, 200_000, -1} {
		t.Run(fmt.Sprintf("cache=%d", cache), func(t *testing.T) {
			s, err := store.Open(t.TempDir(), store.Options{CacheSize: cache})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			cfg := gen.Config{Seed: 5, Relations: 3000, GlobalShare: 0.5}
			if _, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"}); err != nil {
				t.Fatal(err)
			}
			plan, err := gen.NewPlan(cfg)
			if err != nil {
				t.Fatal(err)
			}
			starts := make([]string, 12)
			for i := range starts {
				starts[i] = plan.EntityID(i * 53 % plan.Entities)
			}
			check := func(when string, ro store.ReadOptions) {
				t.Helper()
				for _, id := range starts {
					for _, o := range []store.NeighborhoodOptions{{Depth: 1}, {Depth: 2}, {Depth: 3, Limit: new(300)}, {Depth: 2, Direction: store.Out}} {
						want, err := s.Neighborhood(ctx, id, o, ro)
						if err != nil {
							t.Fatal(err)
						}
						for pass := range 3 {
							got, err := s.NeighborhoodHeads(ctx, id, o, store.HeadOptions{Edges: true, RelationIDs: true, Links: true}, ro)
							if err != nil {
								t.Fatal(err)
							}
							if len(got.LinkIDs) != len(want.Edges) {
								t.Fatalf("%s, %s %+v, pass %d: %d link ids, want %d", when, id, o, pass, len(got.LinkIDs), len(want.Edges))
							}
							for j, r := range want.Edges {
								if got.LinkIDs[j] != r.ID {
									t.Fatalf("%s, %s %+v, pass %d: link %d: id %q, want %q", when, id, o, pass, j, got.LinkIDs[j], r.ID)
								}
							}
						}
					}
				}
			}
			check("loaded", store.ReadOptions{})
			before := time.Now()
			time.Sleep(2 * time.Millisecond) // a commit time after before

			// Delete some of the relations just read, add new ones
			// among the same entities, and move some to other ends
			// (an upsert keeps the relation's internal id).
			var b store.Batch
			seen := map[string]bool{}
			lastTo := map[string]string{} // by type: an end the type admits
			for _, id := range starts {
				sg, err := s.Neighborhood(ctx, id, store.NeighborhoodOptions{Depth: 1}, store.ReadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for k, r := range sg.Edges {
					if seen[r.ID] {
						continue
					}
					seen[r.ID] = true
					to, moved := lastTo[r.Type]
					lastTo[r.Type] = r.To
					switch {
					case k%3 == 0:
						b.DeleteRelations = append(b.DeleteRelations, r.ID)
					case k%3 == 1 && moved && to != r.To:
						m := *r
						m.To = to
						b.Relations = append(b.Relations, m)
					case k%3 == 2:
						p := *r
						p.ID = "parallel-" + r.ID
						b.Relations = append(b.Relations, p)
					}
				}
			}
			if _, err := s.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
			check("written", store.ReadOptions{})
			check("as of before", store.ReadOptions{AsOf: before})
			check("written, again", store.ReadOptions{})
		})
	}
}
