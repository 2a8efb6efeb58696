package graph_test

import (
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// paths gives distinct routes through entities by default, each hop with
// its parallel relations as evidence; parallel: true keeps one path per
// relation sequence.
func TestPathsDistinct(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	type path struct {
		Nodes    []struct{ ID string }
		Edges    []struct{ ID string }
		Evidence [][]struct{ ID, Type string }
	}
	run := func(t *testing.T, parallel bool) []path {
		var d struct{ Paths []path }
		e.at(t).ok(`query($p: Boolean) { paths(from: "enschede", to: "dalian", k: 4, parallel: $p) {
		  nodes { id } edges { id } evidence { id type } } }`, map[string]any{"p": parallel}, &d)
		return d.Paths
	}
	route := func(p path) string {
		ids := make([]string, len(p.Nodes))
		for i, n := range p.Nodes {
			ids[i] = n.ID
		}
		return strings.Join(ids, ">")
	}
	t.Run("Distinct", func(t *testing.T) {
		ps := run(t, false)
		seen := map[string]bool{}
		for _, p := range ps {
			if seen[route(p)] {
				t.Errorf("route %s twice", route(p))
			}
			seen[route(p)] = true
			for i, ev := range p.Evidence {
				if len(ev) == 0 || ev[0].ID != p.Edges[i].ID {
					t.Errorf("route %s hop %d: evidence %v does not start with edge %s", route(p), i, ev, p.Edges[i].ID)
				}
			}
		}
		if len(ps) == 0 || route(ps[0]) != "enschede>dalian" || len(ps[0].Evidence[0]) < 3 {
			t.Fatalf("first path %+v, want enschede>dalian with the sister-city, friendly-cooperation and invitation relations", ps)
		}
	})
	t.Run("Parallel", func(t *testing.T) {
		ps := run(t, true)
		direct := 0
		for _, p := range ps {
			if route(p) == "enschede>dalian" {
				direct++
			}
			if len(p.Evidence) != len(p.Edges) || len(p.Evidence) > 0 && len(p.Evidence[0]) != 1 {
				t.Errorf("route %s: evidence %v, want each edge on its own", route(p), p.Evidence)
			}
		}
		if direct < 2 {
			t.Errorf("parallel: %d direct paths, want one per relation joining Enschede and Dalian", direct)
		}
	})
}
