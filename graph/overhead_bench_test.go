package graph_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store/storetest"
)

// BenchmarkRequestOverhead measures the server's own work for one small
// request of a cached document, without the network: the handler chain
// (metrics, timeout, body rate, transport, gqlgen's executor, admission,
// complexity) around a 1-hop neighbourhood of the founding data, whose
// walk is a few cache lookups. Its profile (-cpuprofile) says where a
// dashboard's smallest request spends its time.
func BenchmarkRequestOverhead(b *testing.B) {
	st := storetest.Open(b)
	loadFounding(b, st)
	h := graph.NewServer(graph.ServerConfig{Store: st})
	body := []byte(`{"query":"query N($id: ID!, $depth: Int!, $limit: Int!) { neighborhood(id: $id, depth: $depth, limit: $limit) { truncated nodes { id name type } } }","variables":{"id":"enschede","depth":1,"limit":1000}}`)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
