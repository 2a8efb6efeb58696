package graph_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// BenchmarkNeighborhoodResponse measures the server's work for the
// neighbourhood shapes a dashboard asks for, through the whole handler
// chain but without the network, on a generated graph
// (TIES_BENCH_RELATIONS, 100,000 by default) whose read cache holds what
// the 200 seeded starts reach: the walk, the heads and the writing of
// the answer, which is what separates `edges` and `nodeLink` from
// `nodes`. Its profile (-cpuprofile) says where an answer's time goes.
func BenchmarkNeighborhoodResponse(b *testing.B) {
	st, starts := generatedGraph(b)
	h := graph.NewServer(graph.ServerConfig{Store: st, Limits: graph.Limits{Complexity: -1, MaxLimit: -1, MaxFirst: -1}})
	// relation is the member each relation of the answer has once, so
	// that the benchmark can report the relations per answer.
	shapes := []struct{ name, selection, relation string }{
		{"nodes", "nodes { id name type }", ""},
		{"edges", "nodes { id name type } edges { fromId toId type }", `"fromId":`},
		{"nodeLink", "nodeLink", `"source":`},
	}
	body := func(sel, id string, depth int) []byte {
		return fmt.Appendf(nil, `{"query":"query N($id: ID!, $depth: Int!) { neighborhood(id: $id, depth: $depth, limit: 100000) { truncated %s } }","variables":{"id":%s,"depth":%d}}`,
			sel, strconv.Quote(id), depth)
	}
	postBody := func(b *testing.B, req []byte) []byte {
		r := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(req))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
	// The timed loop keeps no answer: httptest's recorder grows a buffer
	// to each answer's size, megabytes for the large ones, which is the
	// harness's cost, not the server's.
	post := func(b *testing.B, req []byte) int {
		r := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(req))
		r.Header.Set("Content-Type", "application/json")
		w := discardRecorder{header: http.Header{}}
		h.ServeHTTP(&w, r)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
		return w.n
	}
	for _, depth := range []int{2, 3} {
		for _, sh := range shapes {
			reqs := make([][]byte, len(starts))
			rels := 0 // relations in the answers to all starts
			for i, id := range starts {
				reqs[i] = body(sh.selection, id, depth)
				// Warm the read cache and the document cache.
				rels += bytes.Count(postBody(b, reqs[i]), []byte(sh.relation))
			}
			b.Run(fmt.Sprintf("depth=%d/%s", depth, sh.name), func(b *testing.B) {
				timePosts(b, reqs, post)
				if sh.relation != "" {
					b.ReportMetric(float64(rels)/float64(len(reqs)), "relations/answer")
				}
			})
		}
	}
}

// discardRecorder is an http.ResponseWriter that counts the bytes of an
// answer and keeps its status.
type discardRecorder struct {
	header http.Header
	status int
	n      int
}

func (w *discardRecorder) Header() http.Header { return w.header }

func (w *discardRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *discardRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(b)
	return len(b), nil
}
