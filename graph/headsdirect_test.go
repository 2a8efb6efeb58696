package graph_test

import (
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// TestNeighborhoodDirect requires a neighbourhood answered without
// gqlgen's execution of the field (headsdirect.go) to be byte for byte
// the answer of gqlgen's path, errors included: each query is sent as it
// is, again with `validAt: null` (an argument the direct path leaves to
// gqlgen, which changes nothing), and again with `where: []` (which
// gqlgen answers and marshals alone).
func TestNeighborhoodDirect(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	sel := `{ truncated nodes { id name type } edges { fromId toId type } }`
	cases := []struct {
		name, decl, args string
		vars             map[string]any
	}{
		{"Defaults", "", `id: "enschede"`, nil},
		{"Literals", "", `id: "enschede", depth: 2, limit: 3`, nil},
		{"Variables", "($id: ID!, $depth: Int)", `id: $id, depth: $depth`, map[string]any{"id": "enschede", "depth": 2}},
		{"VariableAbsent", "($id: ID!, $depth: Int)", `id: $id, depth: $depth`, map[string]any{"id": "enschede"}},
		{"VariableDefault", "($depth: Int = 2)", `id: "enschede", depth: $depth`, nil},
		{"Nulls", "", `id: "enschede", depth: null, limit: null, types: null, direction: null, datedOnly: null`, nil},
		{"OneType", "", `id: "enschede", types: "SISTER_CITY_OF", depth: 2`, nil},
		{"TypesOut", "", `id: "enschede", types: ["SISTER_CITY_OF", "MEMBER_OF"], direction: OUT, depth: 2`, nil},
		{"In", "", `id: "dalian", direction: IN, depth: 2`, nil},
		{"DirectionVariable", "($d: Direction)", `id: "dalian", direction: $d, depth: 2`, map[string]any{"d": "OUT"}},
		{"EntityTypesDated", "", `id: "enschede", entityTypes: ["City"], datedOnly: true, depth: 2`, nil},
		{"ErrNotFound", "", `id: "nobody"`, nil},
		{"ErrUnknownType", "", `id: "enschede", types: ["NO_SUCH_TYPE"]`, nil},
		{"ErrDepth", "", `id: "enschede", depth: -1`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.at(t)
			wantErr := strings.HasPrefix(c.name, "Err")
			query := func(extra string) string {
				q := `query Q` + c.decl + ` { neighborhood(` + c.args + extra + `) ` + sel
				if !wantErr { // root fields run concurrently: errors come in any order
					q += "\n again: neighborhood(" + c.args + extra + ") " + sel
				}
				return q + " }"
			}
			direct := e.post(query(""), c.vars)
			for _, extra := range []string{", validAt: null", ", where: []"} {
				slow := e.post(query(extra), c.vars)
				if direct.Status != slow.Status || string(direct.Raw) != string(slow.Raw) {
					t.Errorf("with %q:\n got %d %s\nwant %d %s", extra, direct.Status, direct.Raw, slow.Status, slow.Raw)
				}
			}
			if wantErr != (len(direct.Errors) > 0) {
				t.Errorf("errors %v, want some: %v", direct.Errors, wantErr)
			}
		})
	}
}
