package graph_test

import (
	"net/http/httptest"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store/storetest"
)

// BenchmarkRequestOverheadTCP is BenchmarkRequestOverhead over a real
// loopback connection kept alive, as a dashboard's client sends it: what
// the in-process benchmark leaves out (net/http's reading and writing,
// the body-rate deadlines) is in it, and so is the client's own work,
// which shares the process.
func BenchmarkRequestOverheadTCP(b *testing.B) {
	st := storetest.Open(b)
	loadFounding(b, st)
	ts := httptest.NewServer(graph.NewServer(graph.ServerConfig{Store: st}))
	b.Cleanup(ts.Close)
	post := tcpPoster(b, ts.URL+"/query")
	body := []byte(`{"query":"query N($id: ID!, $depth: Int!, $limit: Int!) { neighborhood(id: $id, depth: $depth, limit: $limit) { truncated nodes { id name type } } }","variables":{"id":"enschede","depth":1,"limit":1000}}`)
	b.ReportAllocs()
	for b.Loop() {
		post(b, body)
	}
}
