package graph_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/storetest"
)

// TestDirectQueryLentAnswers asks the dashboard's neighbourhoods, every
// shape the direct path writes, for many starts from several clients at
// once over real HTTP: each answer's lists are given back to the store
// once written, and the next request's walk fills them again, so every
// answer must be byte for byte the one the same request had alone before.
// Run it with -race.
func TestDirectQueryLentAnswers(t *testing.T) {
	st := storetest.Open(t)
	cfg := gen.Config{Seed: 7, Relations: 3000}
	if _, err := st.Load(context.Background(), gen.Source(cfg), store.LoadOptions{Source: "gen"}); err != nil {
		t.Fatal(err)
	}
	plan, err := gen.NewPlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(graph.NewServer(graph.ServerConfig{Store: st, Limits: graph.Limits{Complexity: -1, MaxLimit: -1, MaxFirst: -1}}))
	ts.Listener = graph.AnswerListener(ts.Listener)
	ts.Config.ConnContext = graph.AnswerConnContext
	ts.Start()
	t.Cleanup(ts.Close)
	post := func(body []byte) ([]byte, error) {
		resp, err := http.Post(ts.URL+"/query", "application/json", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d: %s", resp.StatusCode, b)
		}
		return b, err
	}
	selections := []string{"truncated nodes { id name type }", "nodes { id name type } edges { fromId toId type }", "nodeLink", "edges { id type }"}
	var reqs [][]byte
	for i := range 24 {
		id := plan.EntityID(i * 61 % plan.Entities)
		for d := 1; d <= 3; d++ {
			sel := selections[(i+d)%len(selections)]
			reqs = append(reqs, fmt.Appendf(nil, `{"query":"query N($id: ID!) { neighborhood(id: $id, depth: %d, limit: %d) { %s } }","variables":{"id":%s}}`,
				d, 40+i*20, sel, strconv.Quote(id)))
		}
	}
	want := make([][]byte, len(reqs))
	for i, r := range reqs {
		if want[i], err = post(r); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Go(func() {
			for k := range 2 * len(reqs) {
				i := (k*5 + g*7) % len(reqs)
				got, err := post(reqs[i])
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(got, want[i]) {
					t.Errorf("%s:\n got %s\nwant %s", reqs[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
