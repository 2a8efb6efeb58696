package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// BenchmarkNeighborhoodWarm measures Store.Neighborhood, whole entities,
// as `tiesbench compare` asks it of system ties and a dashboard's server
// sees it: the same 200 random starts (seeded) over and over, each asked
// once, untimed, before timing, so that the read cache holds all they
// reach and what is left is decoding what it holds. nodes,nodesOnly is
// the node set alone (what tiesbench asks); nodes,relations adds the
// relation bodies among them. heads-after are NeighborhoodHeads (the
// node set's ids, names and types, what nodes { id name type } asks) on
// the same store after those, whose decoded bodies fill their share of
// the read cache: the walks a dashboard asks most must not pay for the
// whole entities asked before them.
//
//	go test ./store -run '^$' -bench NeighborhoodWarm -bench.relations 100000 -count 6
func BenchmarkNeighborhoodWarm(b *testing.B) {
	g := loadBenchGraph(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	starts := make([]string, 200)
	for i := range starts {
		starts[i] = g.plan.EntityID(rng.IntN(g.n))
	}
	for _, depth := range []int{1, 2, 3} {
		opts := store.NeighborhoodOptions{Depth: depth, Limit: new(100_000)}
		for _, id := range starts {
			if _, err := g.s.Neighborhood(ctx, id, opts, store.ReadOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, nodesOnly := range []bool{true, false} {
		for _, depth := range []int{1, 2, 3} {
			name := fmt.Sprintf("depth=%d,nodes", depth)
			if !nodesOnly {
				name += ",relations"
			}
			b.Run(name, func(b *testing.B) {
				opts := store.NeighborhoodOptions{Depth: depth, Limit: new(100_000), NodesOnly: nodesOnly}
				nodes, edges, i := 0, 0, 0
				b.ReportAllocs()
				cpu := storetest.CPUTime()
				for b.Loop() {
					sg, err := g.s.Neighborhood(ctx, starts[i%len(starts)], opts, store.ReadOptions{})
					if err != nil {
						b.Fatal(err)
					}
					nodes += len(sg.Nodes)
					edges += len(sg.Edges)
					i++
				}
				b.ReportMetric(cpu()*1e9/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(nodes)/float64(b.N), "nodes/op")
				if !nodesOnly {
					b.ReportMetric(float64(edges)/float64(b.N), "edges/op")
				}
			})
		}
	}
	for _, depth := range []int{2, 3} {
		b.Run(fmt.Sprintf("depth=%d,heads-after", depth), func(b *testing.B) {
			opts := store.NeighborhoodOptions{Depth: depth, Limit: new(100_000)}
			nodes, i := 0, 0
			b.ReportAllocs()
			cpu := storetest.CPUTime()
			for b.Loop() {
				h, err := g.s.NeighborhoodHeads(ctx, starts[i%len(starts)], opts, store.HeadOptions{}, store.ReadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				nodes += len(h.Nodes)
				i++
			}
			b.ReportMetric(cpu()*1e9/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(nodes)/float64(b.N), "nodes/op")
		})
	}
}
