package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// A neighbourhood's remembered shape follows @skip and @include: the same
// document with other values of their variables selects other fields.
func TestShapeFollowsDirectives(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	const q = `query N($id: ID!, $name: Boolean!, $edges: Boolean!) {
  neighborhood(id: $id) {
    nodes { id name @include(if: $name) }
    ...E @include(if: $edges)
  }
}
fragment E on Subgraph { edges { type } }`
	for _, step := range []struct {
		name      string
		vars      map[string]any
		withName  bool
		withEdges bool
	}{
		{"Both", map[string]any{"id": "enschede", "name": true, "edges": true}, true, true},
		{"NoName", map[string]any{"id": "enschede", "name": false, "edges": true}, false, true},
		{"NoEdges", map[string]any{"id": "dalian", "name": true, "edges": false}, true, false},
		{"BothAgain", map[string]any{"id": "dalian", "name": true, "edges": true}, true, true},
	} {
		body, _ := json.Marshal(map[string]any{"query": q, "variables": step.vars})
		r := e.do(http.MethodPost, "/query", "application/json", body, nil)
		if r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("%s: %s", step.name, r.Raw)
		}
		if got := bytes.Contains(r.Data, []byte(`"name":`)); got != step.withName {
			t.Errorf("%s: name selected %v, want %v: %.200s", step.name, got, step.withName, r.Data)
		}
		if got := bytes.Contains(r.Data, []byte(`"edges":`)); got != step.withEdges {
			t.Errorf("%s: edges selected %v, want %v: %.200s", step.name, got, step.withEdges, r.Data)
		}
	}
}
