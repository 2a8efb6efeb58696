package store_test

// Benchmarks of the traversals on a generated graph (store/gen, seeded):
//
//	go test ./store -run '^$' -bench 'ShortestPath|Neighborhood' -bench.relations 100000 [-bench.disk] [-bench.warm 3000] [-bench.cache -1]
//
// Each benchmark generates and loads its graph before it starts timing.
// Random start entities over a large graph mostly miss the read cache; a
// service's cache is warm, which -bench.warm imitates.

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/connect"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/storetest"
)

var (
	benchRelations = flag.Int("bench.relations", 100_000, "relations of the generated benchmark graph")
	benchDisk      = flag.Bool("bench.disk", false, "load the benchmark graph into a store on disk rather than in memory")
	benchCache     = flag.Int64("bench.cache", 0, "Options.CacheSize of the benchmark store (0: the default; -1: no read cache)")
	benchWarm      = flag.Int("bench.warm", 0, "untimed depth-2 neighbourhoods of random entities (another seed) to run after loading, to warm the read cache")
)

// benchGraph is a loaded generated graph.
type benchGraph struct {
	s    *store.Store
	plan *gen.Plan
	n    int
}

// loadBenchGraph generates and loads the graph into an in-memory store, or
// one on disk with -bench.disk; TIES_BENCH_GLOBAL_SHARE chooses its shape.
// With b.Loop a benchmark function runs once, so this runs once per
// benchmark.
func loadBenchGraph(b *testing.B) benchGraph {
	b.Helper()
	cfg := gen.Config{Seed: 1, Relations: *benchRelations, GlobalShare: storetest.BenchGlobalShare(b)}
	plan, err := gen.NewPlan(cfg)
	if err != nil {
		b.Fatalf("plan: %v", err)
	}
	dir := ""
	if *benchDisk {
		dir = b.TempDir()
	}
	s, err := store.Open(dir, store.Options{InMemory: !*benchDisk, CacheSize: *benchCache})
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	res, err := s.Load(context.Background(), gen.Source(cfg), store.LoadOptions{Source: "gen"})
	if err != nil {
		b.Fatalf("Load: %v", err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for range *benchWarm {
		id := plan.EntityID(rng.IntN(res.Entities))
		if _, err := s.Neighborhood(context.Background(), id, store.NeighborhoodOptions{Depth: 2, Limit: new(100_000)}, store.ReadOptions{}); err != nil {
			b.Fatalf("warm-up Neighborhood(%s): %v", id, err)
		}
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
		p, err := store.Read(ctx, g.s, store.ReadOptions{}, func(r *store.Reader) (*store.Path, error) {
			return connect.ShortestPath(r, from, to, store.PathOptions{MaxDepth: new(6)})
		})
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
	g.benchNeighborhoods(b, rand.New(rand.NewPCG(8, 8)), store.NeighborhoodOptions{Depth: 3, Limit: new(10_000)})
}

// BenchmarkNeighborhood measures neighbourhoods of depth 1, 2 and 3 of
// random entities (seeded) on one loaded graph, in both directions with no
// filters, as `tiesbench compare` asks them: what the 1-hop and depth-2
// figures of issue 5 time in process.
func BenchmarkNeighborhood(b *testing.B) {
	g := loadBenchGraph(b)
	for _, depth := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			g.benchNeighborhoods(b, rand.New(rand.NewPCG(9, uint64(depth))), store.NeighborhoodOptions{Depth: depth, Limit: new(100_000)})
		})
	}
}

// benchNeighborhoods measures the neighbourhoods of entities drawn by rng
// and reports how many entities one holds on average (nodes/op).
func (g benchGraph) benchNeighborhoods(b *testing.B, rng *rand.Rand, opts store.NeighborhoodOptions) {
	ctx := context.Background()
	nodes := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		id := g.plan.EntityID(rng.IntN(g.n))
		sg, err := g.s.Neighborhood(ctx, id, opts, store.ReadOptions{})
		if err != nil {
			b.Fatalf("Neighborhood(%s): %v", id, err)
		}
		nodes += len(sg.Nodes)
	}
	b.ReportMetric(float64(nodes)/float64(b.N), "nodes/op")
}
