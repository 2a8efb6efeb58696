package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

// benchSet is a store served over loopback HTTP with the entity ids the
// benchmarks start from.
type benchSet struct {
	name string
	env  *env
	ids  []string // start entities, round-robin
	hubs []string // the best-connected entities, for large neighbourhoods
}

// benchRelations is the size of the generated graph; TIES_BENCH_RELATIONS
// overrides it (BENCHMARKS.md uses 1,000,000).
func benchRelations() int {
	if n, err := strconv.Atoi(os.Getenv("TIES_BENCH_RELATIONS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchSets builds the founding graph and a generated one, on disk as the
// service keeps them.
func benchSets(b *testing.B) []benchSet {
	b.Helper()
	cfg := graph.ServerConfig{Limits: graph.Limits{Complexity: -1, MaxLimit: -1, MaxFirst: -1}}
	open := func() *store.Store {
		st, err := store.Open(b.TempDir(), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}
	founding := open()
	loadFounding(b, founding)
	generated := open()
	n := benchRelations()
	if _, err := generated.Load(context.Background(), gen.Source(gen.Config{Seed: 1, Relations: n}), store.LoadOptions{Source: "generated"}); err != nil {
		b.Fatal(err)
	}
	var sets []benchSet
	for _, s := range []struct {
		name string
		st   *store.Store
	}{{"founding", founding}, {fmt.Sprintf("generated-%d", n), generated}} {
		e := newEnvWith(b, s.st, cfg)
		// Every 37th entity in id order: spread over kinds and degrees
		// the way random picks would be, yet the same on every run.
		var d struct {
			Entities struct{ Nodes []struct{ ID string } }
		}
		r := e.post(`{ entities(first: 10000) { nodes { id } } }`, nil)
		if err := json.Unmarshal(r.Data, &d); err != nil {
			b.Fatal(err)
		}
		var ids []string
		for i, n := range d.Entities.Nodes {
			if i%37 == 0 || len(d.Entities.Nodes) < 1000 {
				ids = append(ids, n.ID)
			}
		}
		var c struct {
			Centrality struct {
				Ranking []struct{ Entity struct{ ID string } }
			}
		}
		r = e.post(`{ centrality(first: 20) { ranking { entity { id } } } }`, nil)
		if err := json.Unmarshal(r.Data, &c); err != nil {
			b.Fatal(err)
		}
		var hubs []string
		for _, h := range c.Centrality.Ranking {
			hubs = append(hubs, h.Entity.ID)
		}
		sets = append(sets, benchSet{name: s.name, env: e, ids: ids, hubs: hubs})
	}
	return sets
}

// benchQuery posts query with $id taken round-robin from the set's ids,
// from one client or, with clients > 1, from that many in parallel.
func benchQuery(b *testing.B, set benchSet, clients int, query string, hubs bool) {
	ids := set.ids
	if hubs {
		ids = set.hubs
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}}
	defer client.CloseIdleConnections()
	var n, bytesRead atomic.Int64
	do := func() {
		id := ids[int(n.Add(1))%len(ids)]
		body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"id": id}})
		res, err := client.Post(set.env.url+"/query", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Error(err)
			return
		}
		k, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		bytesRead.Add(k)
		if res.StatusCode != http.StatusOK {
			b.Errorf("status %d", res.StatusCode)
		}
	}
	if clients == 1 {
		for b.Loop() {
			do()
		}
	} else {
		// RunParallel starts parallelism × GOMAXPROCS clients.
		b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				do()
			}
		})
	}
	b.ReportMetric(float64(bytesRead.Load())/float64(max(n.Load(), 1)), "resp-bytes/op")
}

func BenchmarkHTTP(b *testing.B) {
	queries := []struct {
		name  string
		query string
		hubs  bool
	}{
		{"Entity", `query($id: ID!) { entity(id: $id) { id type name } }`, false},
		{"Relations50", `query($id: ID!) { entity(id: $id) { relations(first: 50) { totalCount edges { cursor node { id type validFrom } neighbor { id name } } } } }`, false},
		{"Relations50WithEnds", `query($id: ID!) { entity(id: $id) { relations(first: 50) { edges { node { id type from { id name } to { id name } } } } } }`, false},
		{"Neighborhood2Typed", `query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 2000) { truncated nodes { id type name } edges { id type fromId toId } } }`, false},
		{"Neighborhood2NodeLink", `query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 2000) { nodeLink } }`, false},
		{"Neighborhood2HubTyped", `query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 2000) { truncated nodes { id type name } edges { id type fromId toId } } }`, true},
		{"Neighborhood2HubNodeLink", `query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 2000) { nodeLink } }`, true},
	}
	for _, set := range benchSets(b) {
		for _, q := range queries {
			for _, clients := range []int{1, 16} {
				b.Run(fmt.Sprintf("%s/%s/clients=%d", set.name, q.name, clients), func(b *testing.B) {
					benchQuery(b, set, clients, q.query, q.hubs)
				})
			}
		}
	}
}

// BenchmarkCheapUnderHeavyLoad measures what a dashboard's cheap query
// costs while 16 clients ask for betweenness centrality without pause, with
// the expensive-query queue (the default) and without it: p50 and p99 of
// the cheap query are reported. TIES_BENCH_RELATIONS sizes the graph.
func BenchmarkCheapUnderHeavyLoad(b *testing.B) {
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	n := min(benchRelations(), 20_000)
	if _, err := st.Load(context.Background(), gen.Source(gen.Config{Seed: 1, Relations: n}), store.LoadOptions{Source: "generated"}); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name    string
		workers int
	}{{"queue", 0}, {"noQueue", -1}} {
		b.Run(fmt.Sprintf("%s/relations=%d", mode.name, n), func(b *testing.B) {
			cfg := graph.ServerConfig{Limits: graph.Limits{Complexity: -1, MaxLimit: -1, MaxFirst: -1, HeavyWorkers: mode.workers, Timeout: time.Minute}}
			e := newEnvWith(b, st, cfg)
			var id struct {
				Entities struct{ Nodes []struct{ ID string } }
			}
			e.ok(`{ entities(first: 1) { nodes { id } } }`, nil, &id)
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			heavy := []byte(`{"query":"{ centrality(measure: BETWEENNESS, samples: 64, seed: 1, first: 5) { ranking { score } } }"}`)
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for ctx.Err() == nil {
						req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.url+"/query", bytes.NewReader(heavy))
						req.Header.Set("Content-Type", "application/json")
						if res, err := http.DefaultClient.Do(req); err == nil {
							io.Copy(io.Discard, res.Body)
							res.Body.Close()
						}
					}
				}()
			}
			time.Sleep(200 * time.Millisecond) // let the heavy clients fill the queue
			cheap, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { entity(id: $id) { name degree } }`, "variables": map[string]any{"id": id.Entities.Nodes[0].ID}})
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				res, err := http.Post(e.url+"/query", "application/json", bytes.NewReader(cheap))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat = append(lat, time.Since(start))
			}
			cancel()
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
