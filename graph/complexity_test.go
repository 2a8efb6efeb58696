package graph_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// The complexity of an operation is remembered, but never shared between
// requests that differ in what it depends on: the variables its cost
// reads, the operation chosen, a variable that may fail to parse.
func TestComplexityRemembered(t *testing.T) {
	// neighborhood costs 101 + 2*limit with nodes { id }: limit 10 is
	// 121, the default 500 is 1101, limit 1000 is 2101.
	e := newEnv(t, graph.ServerConfig{Limits: graph.Limits{Complexity: 1200}})
	const byVariable = `query N($id: ID!, $limit: Int) { neighborhood(id: $id, limit: $limit) { nodes { id } } }`
	const byOperation = `query Small { neighborhood(id: "enschede", limit: 10) { nodes { id } } }
query Large { neighborhood(id: "enschede", limit: 1000) { nodes { id } } }`
	const byDate = `query D($validAt: Date, $limit: Int) { neighborhood(id: "enschede", validAt: $validAt, limit: $limit) { nodes { id } } }`
	for _, step := range []struct {
		name  string
		query string
		op    string
		vars  map[string]any
		code  string
	}{
		{"Small", byVariable, "", map[string]any{"id": "enschede", "limit": 10}, ""},
		{"OtherID", byVariable, "", map[string]any{"id": "dalian", "limit": 10}, ""},
		{"Large", byVariable, "", map[string]any{"id": "enschede", "limit": 1000}, "TOO_COMPLEX"},
		{"DefaultLimit", byVariable, "", map[string]any{"id": "enschede"}, ""},
		{"NullLimit", byVariable, "", map[string]any{"id": "enschede", "limit": nil}, ""},
		{"SmallAgain", byVariable, "", map[string]any{"id": "enschede", "limit": 10}, ""},
		{"LargeAgain", byVariable, "", map[string]any{"id": "dalian", "limit": 1000}, "TOO_COMPLEX"},
		{"OperationSmall", byOperation, "Small", nil, ""},
		{"OperationLarge", byOperation, "Large", nil, "TOO_COMPLEX"},
		{"OperationSmallAgain", byOperation, "Small", nil, ""},
		// A date the argument parser refuses makes gqlgen fall back to
		// the default cost; a valid one must still be priced.
		{"BadDate", byDate, "", map[string]any{"validAt": "2019-13-99", "limit": 1000}, "INVALID_ARGUMENT"},
		{"GoodDate", byDate, "", map[string]any{"validAt": "2019", "limit": 1000}, "TOO_COMPLEX"},
	} {
		body, err := json.Marshal(map[string]any{"query": step.query, "operationName": step.op, "variables": step.vars})
		if err != nil {
			t.Fatal(err)
		}
		r := e.do(http.MethodPost, "/query", "application/json", body, nil)
		if got, want := r.Code(), step.code; got != want {
			t.Errorf("%s: code %q, want %q: %.300s", step.name, got, want, r.Raw)
		}
	}
}

// Requests of one document with different variables, at once, each get
// their own operation's verdict and shape.
func TestComplexityRememberedConcurrently(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{Limits: graph.Limits{Complexity: 1200}})
	const q = `query N($id: ID!, $limit: Int, $name: Boolean!) { neighborhood(id: $id, limit: $limit) { nodes { id name @include(if: $name) } } }`
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				large, name := (g+i)%2 == 0, i%3 == 0
				limit, want := 10, ""
				if large {
					limit, want = 1000, "TOO_COMPLEX"
				}
				r := e.at(t).post(q, map[string]any{"id": "enschede", "limit": limit, "name": name})
				if got := r.Code(); got != want {
					t.Errorf("limit %d: code %q, want %q", limit, got, want)
					continue
				}
				if got := strings.Contains(string(r.Data), `"name":`); !large && got != name {
					t.Errorf("name selected %v, want %v: %.200s", got, name, r.Data)
				}
			}
		})
	}
	wg.Wait()
}
