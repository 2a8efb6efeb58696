package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// neighbors(distinct: true) gives one edge per neighbouring entity with
// every relation joining them: the relations list grouped by neighbour.
func TestDistinctNeighbors(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	for _, tc := range []struct {
		name, id string
		filter   string
	}{
		{"Enschede", "enschede", ""},
		{"DalianCityTies", "dalian", `types: ["SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF", "INVITED"]`},
		{"EnschedeIn2012", "enschede", `validAt: "2012"`},
		{"EnschedeOut", "enschede", `direction: OUT`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.filter
			if args != "" {
				args += ", "
			}
			// The independent answer: every relation, grouped by neighbour.
			var all struct {
				Entity struct {
					Relations struct {
						Edges []struct {
							Node     struct{ ID string }
							Neighbor struct{ ID string }
						}
					}
				}
			}
			e.at(t).ok(fmt.Sprintf(`query($id: ID!) { entity(id: $id) { relations(%sfirst: 1000) { edges { node { id } neighbor { id } } } } }`, args),
				map[string]any{"id": tc.id}, &all)
			want := map[string][]string{}
			for _, ed := range all.Entity.Relations.Edges {
				want[ed.Neighbor.ID] = append(want[ed.Neighbor.ID], ed.Node.ID)
			}
			got := map[string][]string{}
			var after any
			total := -1
			for pages := 0; ; pages++ {
				var d struct {
					Entity struct {
						Neighbors struct {
							TotalCount int
							PageInfo   struct {
								HasNextPage bool
								EndCursor   string
							}
							Edges []struct {
								Node      struct{ ID string }
								Relation  struct{ ID string }
								Relations []struct{ ID string }
							}
						}
					}
				}
				e.at(t).ok(fmt.Sprintf(`query($id: ID!, $after: String) { entity(id: $id) { neighbors(%sdistinct: true, first: 3, after: $after) {
				  totalCount pageInfo { hasNextPage endCursor } edges { node { id } relation { id } relations { id } } } } }`, args),
					map[string]any{"id": tc.id, "after": after}, &d)
				nb := d.Entity.Neighbors
				total = nb.TotalCount
				for _, ed := range nb.Edges {
					if _, dup := got[ed.Node.ID]; dup {
						t.Errorf("neighbour %s listed twice", ed.Node.ID)
					}
					if len(ed.Relations) == 0 || ed.Relation.ID != ed.Relations[0].ID {
						t.Errorf("neighbour %s: relation %q, relations %v", ed.Node.ID, ed.Relation.ID, ed.Relations)
					}
					for _, r := range ed.Relations {
						got[ed.Node.ID] = append(got[ed.Node.ID], r.ID)
					}
				}
				if !nb.PageInfo.HasNextPage || pages > 100 {
					break
				}
				after = nb.PageInfo.EndCursor
			}
			if total != len(want) || len(got) != len(want) {
				t.Errorf("totalCount %d, %d neighbours listed; want %d", total, len(got), len(want))
			}
			for id, rels := range want {
				g := slices.Clone(got[id])
				slices.Sort(g)
				slices.Sort(rels)
				if !slices.Equal(g, rels) {
					t.Errorf("neighbour %s: relations %v, want %v", id, g, rels)
				}
			}
		})
	}
	t.Run("ErrRelationCursor", func(t *testing.T) {
		var d struct {
			Entity struct {
				Relations struct{ PageInfo struct{ EndCursor string } }
			}
		}
		e.at(t).ok(`{ entity(id: "enschede") { relations(first: 1) { pageInfo { endCursor } } } }`, nil, &d)
		r := e.at(t).post(`query($after: String) { entity(id: "enschede") { neighbors(distinct: true, after: $after) { totalCount } } }`,
			map[string]any{"after": d.Entity.Relations.PageInfo.EndCursor})
		if got, want := r.Code(), "INVALID_ARGUMENT"; got != want {
			t.Errorf("code %q, want %q: %s", got, want, r.Raw)
		}
	})
}

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
