package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// BenchmarkNeighborhoodHeadsWarm measures NeighborhoodHeads as a
// dashboard's server sees it: the same 200 random starts (seeded) over
// and over, every one of them asked once, untimed, before timing, so
// that the read cache holds all they reach and the cost left is reading
// it (memory-bound on large graphs: -bench.relations 1000000).
func BenchmarkNeighborhoodHeadsWarm(b *testing.B) {
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
			if _, err := g.s.NeighborhoodHeads(ctx, id, opts, store.HeadOptions{Edges: true, RelationIDs: true}, store.ReadOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	// The heads alone (nodes { id name type }), then with the relations
	// among them (edges { fromId toId type }), with their ids too
	// (edges { id fromId toId type }), and as links (nodeLink).
	shapes := []struct {
		name string
		ho   store.HeadOptions
	}{
		{"", store.HeadOptions{}},
		{",edges", store.HeadOptions{Edges: true}},
		{",edges,ids", store.HeadOptions{Edges: true, RelationIDs: true}},
		{",links,ids", store.HeadOptions{Edges: true, RelationIDs: true, Links: true}},
	}
	// The walk alone: the node set and nothing of the nodes' bodies,
	// the question the in-memory floor of tiesbench answers.
	for _, depth := range []int{2, 3} {
		b.Run(fmt.Sprintf("depth=%d,walk", depth), func(b *testing.B) {
			nodes, i := 0, 0
			b.ReportAllocs()
			cpu := storetest.CPUTime()
			for b.Loop() {
				n, err := store.Read(ctx, g.s, store.ReadOptions{}, func(r *store.Reader) (int, error) {
					start, err := r.LookupEntity(starts[i%len(starts)])
					if err != nil {
						return 0, err
					}
					f, err := r.Filter(nil, store.Both, store.Date{}, nil)
					if err != nil {
						return 0, err
					}
					ns, _, _, err := r.Neighborhood(start, f, depth, 100_000, false)
					return len(ns), err
				})
				if err != nil {
					b.Fatal(err)
				}
				nodes += n
				i++
			}
			b.ReportMetric(cpu()*1e9/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(nodes)/float64(b.N), "nodes/op")
		})
	}
	for _, sh := range shapes {
		for _, depth := range []int{1, 2, 3} {
			b.Run(fmt.Sprintf("depth=%d%s", depth, sh.name), func(b *testing.B) {
				opts := store.NeighborhoodOptions{Depth: depth, Limit: new(100_000)}
				nodes, edges, i := 0, 0, 0
				b.ReportAllocs()
				cpu := storetest.CPUTime()
				for b.Loop() {
					sg, err := g.s.NeighborhoodHeads(ctx, starts[i%len(starts)], opts, sh.ho, store.ReadOptions{})
					if err != nil {
						b.Fatal(err)
					}
					nodes += len(sg.Nodes)
					edges += len(sg.Edges) + len(sg.Links)
					// As the server does once the answer is written.
					sg.Release()
					i++
				}
				b.ReportMetric(cpu()*1e9/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(nodes)/float64(b.N), "nodes/op")
				if sh.ho.Edges {
					b.ReportMetric(float64(edges)/float64(b.N), "edges/op")
				}
			})
		}
	}
}
