package store_test

// Benchmarks of the traversals on a generated graph (store/gen, seeded):
//
//	go test ./store -run '^$' -bench 'ShortestPath|NeighborhoodDepth3' -bench.relations 100000
//
// Each benchmark generates and loads its graph before it starts timing.

import (
	"context"
	"flag"
	"math/rand/v2"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

var benchRelations = flag.Int("bench.relations", 100_000, "relations of the generated benchmark graph")

// benchGraph is a loaded generated graph.
type benchGraph struct {
	s    *store.Store
	plan *gen.Plan
	n    int
}

// loadBenchGraph generates and loads the graph into an in-memory store.
// With b.Loop a benchmark function runs once, so this runs once per
// benchmark.
func loadBenchGraph(b *testing.B) benchGraph {
	b.Helper()
	cfg := gen.Config{Seed: 1, Relations: *benchRelations}
	plan, err := gen.NewPlan(cfg)
	if err != nil {
		b.Fatalf("plan: %v", err)
	}
	s, err := store.Open("", store.Options{InMemory: true})
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	res, err := s.Load(context.Background(), gen.Source(cfg), store.LoadOptions{Source: "gen"})
	if err != nil {
		b.Fatalf("Load: %v", err)
	}
	return benchGraph{s: s, plan: plan, n: res.Entities}
}

// BenchmarkShortestPath measures one unweighted shortest path between
// random pairs (seeded), depth up to 6, all relation types, both
// directions.
func BenchmarkShortestPath(b *testing.B) {
	g := loadBenchGraph(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 7))
	found := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		from, to := g.plan.EntityID(rng.IntN(g.n)), g.plan.EntityID(rng.IntN(g.n))
		p, err := g.s.ShortestPath(ctx, from, to, store.PathOptions{MaxDepth: 6}, store.ReadOptions{})
		if err != nil {
			b.Fatalf("ShortestPath(%s, %s): %v", from, to, err)
		}
		if p != nil {
			found++
		}
	}
	b.ReportMetric(float64(found)/float64(b.N), "found/op")
}

// BenchmarkNeighborhoodDepth3 measures the depth-3 neighbourhood of random
// entities (seeded), capped at 10,000 entities.
func BenchmarkNeighborhoodDepth3(b *testing.B) {
	g := loadBenchGraph(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(8, 8))
	nodes := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		id := g.plan.EntityID(rng.IntN(g.n))
		sg, err := g.s.Neighborhood(ctx, id, store.NeighborhoodOptions{Depth: 3, Limit: 10_000}, store.ReadOptions{})
		if err != nil {
			b.Fatalf("Neighborhood(%s): %v", id, err)
		}
		nodes += len(sg.Nodes)
	}
	b.ReportMetric(float64(nodes)/float64(b.N), "nodes/op")
}
