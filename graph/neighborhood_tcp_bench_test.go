package graph_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

// BenchmarkNeighborhoodTCP is the dashboard's question as tiesbench's
// ties-http system asks it: `neighborhood { truncated nodes { id name
// type } }` at depths 1 and 2 on a generated graph (TIES_BENCH_RELATIONS,
// 100,000 by default), over one kept-alive loopback connection, the 200
// seeded starts asked once untimed first. It holds what
// BenchmarkNeighborhoodResponse leaves out (net/http on both ends, the
// body-rate deadlines); the client's work shares the process, so its
// cpu-ns/op is the whole round trip's.
func BenchmarkNeighborhoodTCP(b *testing.B) {
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
	ts := httptest.NewServer(graph.NewServer(graph.ServerConfig{Store: st, Limits: graph.Limits{Complexity: -1, MaxLimit: -1, MaxFirst: -1}}))
	b.Cleanup(ts.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	b.Cleanup(client.CloseIdleConnections)
	rng := rand.New(rand.NewPCG(1, 2))
	starts := make([]string, 200)
	for i := range starts {
		starts[i] = plan.EntityID(rng.IntN(res.Entities))
	}
	var buf bytes.Buffer
	post := func(b *testing.B, body []byte) int {
		resp, err := client.Post(ts.URL+"/query", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		_, err = io.Copy(&buf, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d, %v: %s", resp.StatusCode, err, buf.Bytes())
		}
		return buf.Len()
	}
	for _, depth := range []int{1, 2} {
		reqs := make([][]byte, len(starts))
		for i, id := range starts {
			reqs[i] = fmt.Appendf(nil, `{"query":"query N($id: ID!, $depth: Int!, $limit: Int!) { neighborhood(id: $id, depth: $depth, limit: $limit) { truncated nodes { id name type } } }","variables":{"id":%s,"depth":%d,"limit":100000}}`,
				strconv.Quote(id), depth)
			post(b, reqs[i])
		}
		b.Run(fmt.Sprintf("depth=%d/nodes", depth), func(b *testing.B) {
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
