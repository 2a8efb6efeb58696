package graph_test

import (
	"bytes"
	"io"
	"net/http"
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
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	body := []byte(`{"query":"query N($id: ID!, $depth: Int!, $limit: Int!) { neighborhood(id: $id, depth: $depth, limit: $limit) { truncated nodes { id name type } } }","variables":{"id":"enschede","depth":1,"limit":1000}}`)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		_, err = io.Copy(&buf, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d, %v: %s", resp.StatusCode, err, buf.Bytes())
		}
	}
}
