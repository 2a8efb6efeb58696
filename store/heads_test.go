package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

// TestNeighborhoodHeadsMatchesNeighborhood requires the heads of a
// neighbourhood to be exactly what the full bodies say, in the same order,
// with the same truncation, over depths, limits, filters and the
// communities and hubs of a generated graph, with the read cache on and
// off.
func TestNeighborhoodHeadsMatchesNeighborhood(t *testing.T) {
	ctx := context.Background()
	for _, cache := range []int{-1, 0} {
		t.Run(fmt.Sprintf("cache=%d", cache), func(t *testing.T) {
			opts := store.Options{CacheSize: int64(cache)}
			s, err := store.Open(t.TempDir(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			cfg := gen.Config{Seed: 3, Relations: 4000}
			if _, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"}); err != nil {
				t.Fatal(err)
			}
			plan, err := gen.NewPlan(cfg)
			if err != nil {
				t.Fatal(err)
			}
			cases := []store.NeighborhoodOptions{
				{Depth: 1},
				{Depth: 2},
				{Depth: 3},
				{Depth: 3, Limit: new(40)},
				{Depth: 2, Limit: new(1)},
				{Depth: 2, Direction: store.Out},
				{Depth: 2, Types: []string{"WORKS_FOR", "MEMBER_OF", "SISTER_CITY_OF"}},
				{Depth: 2, EntityTypes: []string{"City", "Person"}},
				{Depth: 2, ValidAt: store.MustParseDate("2015")},
			}
			for i := 0; i < 40; i++ {
				id := plan.EntityID(i * 37 % plan.Entities)
				for _, o := range cases {
					for _, edges := range []bool{false, true} {
						o.NodesOnly = !edges
						want, err := s.Neighborhood(ctx, id, o, store.ReadOptions{})
						if err != nil {
							t.Fatal(err)
						}
						got, err := s.NeighborhoodHeads(ctx, id, o, store.HeadOptions{Edges: edges, RelationIDs: edges}, store.ReadOptions{})
						if err != nil {
							t.Fatal(err)
						}
						where := fmt.Sprintf("%s %+v", id, o)
						if got.Truncated != want.Truncated || len(got.Nodes) != len(want.Nodes) || len(got.Edges) != len(want.Edges) {
							t.Fatalf("%s: got %d nodes, %d edges, truncated %v; want %d, %d, %v", where,
								len(got.Nodes), len(got.Edges), got.Truncated, len(want.Nodes), len(want.Edges), want.Truncated)
						}
						for j, e := range want.Nodes {
							if h := got.Nodes[j]; h != (store.EntityHead{ID: e.ID, Type: e.Type, Name: e.Name}) {
								t.Fatalf("%s: node %d: got %+v, want %s %s %s", where, j, h, e.ID, e.Type, e.Name)
							}
						}
						for j, r := range want.Edges {
							w := store.RelationHead{ID: r.ID, Type: r.Type, From: r.From, To: r.To, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo}
							if h := got.Edges[j]; h != w {
								t.Fatalf("%s: edge %d: got %+v, want %+v", where, j, h, w)
							}
						}
					}
				}
			}
		})
	}
}

// TestNeighborhoodHeadsErrors requires the errors of Neighborhood.
func TestNeighborhoodHeadsErrors(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Load(ctx, gen.Source(gen.Config{Seed: 1, Relations: 100}), store.LoadOptions{Source: "gen"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NeighborhoodHeads(ctx, "no-such-entity", store.NeighborhoodOptions{Depth: 1}, store.HeadOptions{}, store.ReadOptions{}); store.ErrorCode(err) != store.NotFound {
		t.Errorf("unknown id: got %v, want NotFound", err)
	}
	plan, err := gen.NewPlan(gen.Config{Seed: 1, Relations: 100})
	if err != nil {
		t.Fatal(err)
	}
	id := plan.EntityID(0)
	if _, err := s.NeighborhoodHeads(ctx, id, store.NeighborhoodOptions{Depth: 1, Types: []string{"NO_SUCH_TYPE"}}, store.HeadOptions{}, store.ReadOptions{}); store.ErrorCode(err) != store.Invalid {
		t.Errorf("unknown type: got %v, want Invalid", err)
	}
	sg, err := s.NeighborhoodHeads(ctx, id, store.NeighborhoodOptions{Depth: 1, Limit: new(0)}, store.HeadOptions{}, store.ReadOptions{})
	if err != nil || !sg.Truncated || len(sg.Nodes) != 0 {
		t.Errorf("limit 0: got %+v, %v; want truncated and empty", sg, err)
	}
}

// BenchmarkNeighborhoodHeads compares, on random entities (seeded), the
// node set of a neighbourhood read as whole entities (Neighborhood with
// NodesOnly, what a nodeLink or a full entity needs) and as heads (what
// nodes { id name type } needs), at depths 1 to 3.
func BenchmarkNeighborhoodHeads(b *testing.B) {
	g := loadBenchGraph(b)
	ctx := context.Background()
	for _, depth := range []int{1, 2, 3} {
		for _, heads := range []bool{false, true} {
			b.Run(fmt.Sprintf("depth=%d/heads=%v", depth, heads), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(9, uint64(depth)))
				opts := store.NeighborhoodOptions{Depth: depth, Limit: new(100_000), NodesOnly: true}
				nodes := 0
				b.ReportAllocs()
				for b.Loop() {
					id := g.plan.EntityID(rng.IntN(g.n))
					if heads {
						sg, err := g.s.NeighborhoodHeads(ctx, id, opts, store.HeadOptions{}, store.ReadOptions{})
						if err != nil {
							b.Fatal(err)
						}
						nodes += len(sg.Nodes)
					} else {
						sg, err := g.s.Neighborhood(ctx, id, opts, store.ReadOptions{})
						if err != nil {
							b.Fatal(err)
						}
						nodes += len(sg.Nodes)
					}
				}
				b.ReportMetric(float64(nodes)/float64(b.N), "nodes/op")
			})
		}
	}
}
