package graph_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

// BenchmarkNeighborhoodResponse measures the server's work for the
// neighbourhood shapes a dashboard asks for, through the whole handler
// chain but without the network, on a generated graph
// (TIES_BENCH_RELATIONS, 100,000 by default) whose read cache holds what
// the 200 seeded starts reach: the walk, the heads and the writing of
// the answer, which is what separates `edges` and `nodeLink` from
// `nodes`. Its profile (-cpuprofile) says where an answer's time goes.
func BenchmarkNeighborhoodResponse(b *testing.B) {
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cfg := gen.Config{Seed: 1, Relations: benchRelations()}
	plan, err := gen.NewPlan(cfg)
	if err != nil {
		b.Fatal(err)
	}
	res, err := st.Load(context.Background(), gen.Source(cfg), store.LoadOptions{Source: "generated"})
	if err != nil {
		b.Fatal(err)
	}
	h := graph.NewServer(graph.ServerConfig{Store: st, Limits: graph.Limits{Complexity: -1, MaxLimit: -1, MaxFirst: -1}})
	rng := rand.New(rand.NewPCG(1, 2))
	starts := make([]string, 200)
	for i := range starts {
		starts[i] = plan.EntityID(rng.IntN(res.Entities))
	}
	shapes := []struct{ name, selection string }{
		{"nodes", "nodes { id name type }"},
		{"edges", "nodes { id name type } edges { fromId toId type }"},
		{"nodeLink", "nodeLink"},
	}
	body := func(sel, id string, depth int) []byte {
		return fmt.Appendf(nil, `{"query":"query N($id: ID!, $depth: Int!) { neighborhood(id: $id, depth: $depth, limit: 100000) { truncated %s } }","variables":{"id":%s,"depth":%d}}`,
			sel, strconv.Quote(id), depth)
	}
	post := func(b *testing.B, req []byte) int {
		r := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(req))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		return w.Body.Len()
	}
	for _, depth := range []int{2, 3} {
		for _, sh := range shapes {
			reqs := make([][]byte, len(starts))
			for i, id := range starts {
				reqs[i] = body(sh.selection, id, depth)
				post(b, reqs[i]) // warm the read cache and the document cache
			}
			b.Run(fmt.Sprintf("depth=%d/%s", depth, sh.name), func(b *testing.B) {
				n, i := 0, 0
				b.ReportAllocs()
				cpu := processCPU()
				for b.Loop() {
					n += post(b, reqs[i%len(reqs)])
					i++
				}
				reportCPU(b, cpu)
				b.ReportMetric(float64(n)/float64(b.N), "resp-bytes/op")
			})
		}
	}
}
