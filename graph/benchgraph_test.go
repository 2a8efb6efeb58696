package graph_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/storetest"
)

// generatedGraph opens a store in b's temporary directory holding a
// generated graph (TIES_BENCH_RELATIONS relations, 100,000 by default;
// TIES_BENCH_GLOBAL_SHARE the share of relations drawn from the whole
// graph rather than a community, 1 for the pure power law whose hubs
// make the large answers, as tiesbench's --global-share) and returns it
// with the 200 seeded entities the neighbourhood benchmarks start from.
func generatedGraph(b *testing.B) (*store.Store, []string) {
	b.Helper()
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cfg := gen.Config{Seed: 1, Relations: benchRelations(), GlobalShare: storetest.BenchGlobalShare(b)}
	plan, err := gen.NewPlan(cfg)
	if err != nil {
		b.Fatal(err)
	}
	res, err := st.Load(context.Background(), gen.Source(cfg), store.LoadOptions{Source: "generated"})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	starts := make([]string, 200)
	for i := range starts {
		starts[i] = plan.EntityID(rng.IntN(res.Entities))
	}
	return st, starts
}

// timePosts is the timed loop of those benchmarks: post sends each of
// reqs in turn and returns the answer's length. It reports the process's
// CPU time per request (on a shared machine it moves much less than the
// wall time) and the bytes of answer per request.
func timePosts(b *testing.B, reqs [][]byte, post func(*testing.B, []byte) int) {
	n, i := 0, 0
	b.ReportAllocs()
	cpu := storetest.CPUTime()
	for b.Loop() {
		n += post(b, reqs[i%len(reqs)])
		i++
	}
	b.ReportMetric(cpu()*1e9/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(n)/float64(b.N), "resp-bytes/op")
}

// tcpPoster returns a function that posts a GraphQL request body to url
// over one kept-alive connection, as a dashboard's client does, reads
// the whole answer and returns its length; anything but 200 fails b.
func tcpPoster(b *testing.B, url string) func(*testing.B, []byte) int {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	b.Cleanup(client.CloseIdleConnections)
	var buf bytes.Buffer
	return func(b *testing.B, body []byte) int {
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
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
}
