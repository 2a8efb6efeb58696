package graph_test

import (
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/ties-graph/ties/graph"
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
	st, starts := generatedGraph(b)
	ts := httptest.NewUnstartedServer(graph.NewServer(graph.ServerConfig{Store: st, Limits: graph.Limits{Complexity: -1, MaxLimit: -1, MaxFirst: -1}}))
	// Served as ties serve serves: answers held for one write.
	ts.Listener = graph.AnswerListener(ts.Listener)
	ts.Config.ConnContext = graph.AnswerConnContext
	ts.Start()
	b.Cleanup(ts.Close)
	post := tcpPoster(b, ts.URL+"/query")
	for _, depth := range []int{1, 2} {
		reqs := make([][]byte, len(starts))
		for i, id := range starts {
			reqs[i] = fmt.Appendf(nil, `{"query":"query N($id: ID!, $depth: Int!, $limit: Int!) { neighborhood(id: $id, depth: $depth, limit: $limit) { truncated nodes { id name type } } }","variables":{"id":%s,"depth":%d,"limit":100000}}`,
				strconv.Quote(id), depth)
			post(b, reqs[i])
		}
		b.Run(fmt.Sprintf("depth=%d/nodes", depth), func(b *testing.B) { timePosts(b, reqs, post) })
	}
}
